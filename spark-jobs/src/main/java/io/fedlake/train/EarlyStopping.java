package io.fedlake.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Early stopping on a validation split carved from the training split (never the holdout, which stays unseen until
 * the final evaluation). Every evaluation of the global model is scored on the validation rows; the parameters of
 * the best evaluation are kept, and training stops once {@code patience} evaluations in a row have not improved on
 * it. The regime then returns the best parameters, not the last. The score is the validation AUC for a binary
 * output, the validation log loss for a softmax (or for a binary output whose validation rows hold one class only),
 * the validation RMSE for a regression.
 *
 * <p>Its state goes into every checkpoint ({@link #state()}, {@link #restore}), so a resumed run stops where an
 * uninterrupted one would and returns the same parameters. The best score is kept at float precision for that reason.
 *
 * <p>A validation split without a row the model could be evaluated on is refused at the first evaluation.
 *
 * @param patience           evaluations without improvement before training stops (≥ 1)
 * @param validationFraction share of the training split's rows held out for validation, in (0, 0.5]
 */
public record EarlyStopping(int patience, double validationFraction) {

    /** The default: stop after 5 evaluations without improvement, validate on a tenth of the training rows. */
    public static final EarlyStopping DEFAULT = new EarlyStopping(5, 0.1);

    static final String BEST_PARAMS = "early_stopping.best_params";
    static final String STATE = "early_stopping.state";

    public EarlyStopping {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be ≥ 1 evaluation, got " + patience);
        }
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5], got " + validationFraction);
        }
    }

    /** The run's tracker. */
    public Tracker tracker() {
        return new Tracker(patience);
    }

    /** The best evaluation so far and how many evaluations since; one per run, driven by the regime. */
    public static final class Tracker {
        private final int patience;
        private float[] bestParams;
        private int bestRound;
        private int bestEpoch;
        private float bestScore = Float.NEGATIVE_INFINITY;
        private int since;
        private int evaluations;
        /** 1 while the score is the AUC, 2 once it is the (negated) log loss, 3 for a regression's (negated) RMSE; 0 before the first evaluation. */
        private int metric;
        private int stoppedAfter;
        /** Validation rows the last evaluation scored (those the translator could encode). */
        private long validationRows;

        Tracker(int patience) {
            this.patience = patience;
        }

        /**
         * Takes one evaluation of {@code params} (copied when it is the best so far).
         *
         * @return true when training should stop here
         */
        public boolean observe(int round, int epoch, RoundMetrics validation, float[] params) {
            if (validation.rows() == 0) {
                // an empty validation split would keep the first round and stop after `patience` more, silently
                throw new io.fedlake.core.UserError("early stopping has no validation row to evaluate on (the training split is too small "
                        + "for --validation-fraction, or no validation row could be encoded): give a larger --validation-fraction or --no-early-stopping");
            }
            validationRows = validation.rows();
            if (metric == 0) {
                metric = validation.regression() ? 3 : Double.isNaN(validation.auc()) ? 2 : 1;
            }
            double value = switch (metric) {
                case 1 -> validation.auc();
                case 2 -> -validation.logLoss();
                default -> -validation.rmse();
            };
            evaluations++;
            float score = Double.isNaN(value) ? Float.NEGATIVE_INFINITY : (float) value;
            if (bestParams == null || score > bestScore) {
                bestParams = params.clone();
                bestScore = score;
                bestRound = round;
                bestEpoch = epoch;
                since = 0;
                return false;
            }
            since++;
            if (since >= patience) {
                stoppedAfter = round;
                return true;
            }
            return false;
        }

        /** The best parameters seen, or null before the first evaluation. */
        public float[] best() {
            return bestParams;
        }

        /** One progress line saying what was kept. */
        public String describe() {
            if (bestParams == null) {
                return "early stopping: no evaluation ran";
            }
            String what = switch (metric) {
                case 1 -> String.format("validation AUC %.4f", bestScore);
                case 2 -> String.format("validation log loss %.4f", -bestScore);
                default -> String.format("validation RMSE %.4g", -bestScore);
            };
            return stoppedAfter > 0
                    ? String.format("early stopping: no better for %d evaluation(s) after round %d; kept round %d (epoch %d), %s", patience,
                    stoppedAfter, bestRound, bestEpoch, what)
                    : String.format("early stopping: not triggered; kept the best round %d (epoch %d), %s", bestRound, bestEpoch, what);
        }

        /** What the model's provenance records. */
        public Map<String, Object> report(double fraction) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("patience", patience);
            r.put("validation_fraction", fraction);
            r.put("validation_rows", validationRows);
            r.put("metric", metric == 1 ? "validation_auc" : metric == 2 ? "validation_log_loss" : "validation_rmse");
            r.put("best_round", bestRound);
            r.put("best_epoch", bestEpoch);
            r.put("best_value", bestParams == null ? null : metric == 1 ? (double) bestScore : -(double) bestScore);
            r.put("evaluations", evaluations);
            r.put("stopped_after_round", stoppedAfter == 0 ? null : stoppedAfter);
            return r;
        }

        public int bestRound() {
            return bestRound;
        }

        /** The tracker's state for a checkpoint (empty before the first evaluation). */
        public Map<String, float[]> state() {
            if (bestParams == null) {
                return Map.of();
            }
            return Map.of(BEST_PARAMS, bestParams, STATE, new float[]{bestRound, bestEpoch, bestScore, since, evaluations, metric});
        }

        /** Restores {@link #state()} from a checkpoint's arrays, removing them from the map; nothing when they are absent. */
        public void restore(Map<String, float[]> arrays) {
            float[] s = arrays.remove(STATE);
            float[] best = arrays.remove(BEST_PARAMS);
            if (s == null || best == null) {
                return;
            }
            bestParams = best.clone();
            bestRound = (int) s[0];
            bestEpoch = (int) s[1];
            bestScore = s[2];
            since = (int) s[3];
            evaluations = (int) s[4];
            metric = (int) s[5];
        }
    }
}
