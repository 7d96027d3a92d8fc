package io.fedlake.train;

import java.io.Serializable;

/**
 * Held-out metrics of the global model after a round, accumulated on the executors without collecting scores: a
 * histogram of the first binary output's probability per class, log loss, and accuracy at 0.5. The registered
 * model's holdout metrics are the exact ones computed by {@link TrainingJob#evaluate}; these are for monitoring
 * rounds and for rounds-to-target experiments.
 *
 * <p>AUC from the histograms, and how far it can be from the exact one. Probabilities fall into {@value #BINS}
 * equal-width bins over [0, 1] (values outside go to the end bins); {@link #auc()} counts a (positive, negative)
 * pair as 1 when the positive's bin is higher, 0 when lower and ½ when they share a bin. The bin is non-decreasing
 * in the score, so a pair in different bins counts exactly as in the exact AUC (Mann–Whitney: 1, 0, or ½ for equal
 * scores, as {@link io.fedlake.eval.BinaryMetrics} computes it); only a pair sharing a bin can differ, by at most ½.
 * Hence, for scores that are not NaN,
 * <pre>  |auc() − exact AUC| ≤ {@link #aucErrorBound()} = ½ · Σ_i pos_i · neg_i / (P · N)</pre>
 * with pos_i, neg_i the bin counts and P, N the class totals. The bound is reached when every shared-bin pair is
 * strictly ordered the same way; it is 0 when no bin holds both classes and ½ when all scores share one bin, so it
 * is large exactly when scores crowd into a few bins (an untrained or saturated model).
 *
 * <p>For a regression output ({@link #forRegression}) it accumulates, on the label's scale, the squared and absolute
 * errors and the label's sums instead: {@link #rmse()}, {@link #mae()}, {@link #r2()}; AUC, accuracy and log loss are NaN.
 */
public final class RoundMetrics implements Serializable {

    private static final long serialVersionUID = 1L;
    static final int BINS = 4096;
    private static final double EPS = 1e-7;

    private final long[] positives = new long[BINS];
    private final long[] negatives = new long[BINS];
    private double logLoss;
    private long correct;
    private long rows;
    /** A regression's label standardisation; null for a class output. */
    private final io.fedlake.zoo.ModelSpec.Target target;
    private double squaredError;
    private double absoluteError;
    private double labelSum;
    private double labelSquares;

    public RoundMetrics() {
        this(null);
    }

    private RoundMetrics(io.fedlake.zoo.ModelSpec.Target target) {
        this.target = target;
    }

    /** Metrics of a regression output whose network unit is its label standardised by {@code target}. */
    public static RoundMetrics forRegression(io.fedlake.zoo.ModelSpec.Target target) {
        return new RoundMetrics(java.util.Objects.requireNonNull(target, "target"));
    }

    /** Empty metrics of the kind {@code o} needs. */
    public static RoundMetrics of(io.fedlake.zoo.ModelSpec.Output o) {
        return o.regression() ? forRegression(o.target()) : new RoundMetrics();
    }

    public boolean regression() {
        return target != null;
    }

    /** Adds one regression row: the prediction and the label, both on the label's scale. */
    public void addRegression(double prediction, double label) {
        double e = prediction - label;
        squaredError += e * e;
        absoluteError += Math.abs(e);
        labelSum += label;
        labelSquares += label * label;
        rows++;
    }

    /** Adds one scored row: probability of class 1 and the 0/1 label. */
    public void add(double p, float label) {
        int bin = (int) Math.min(BINS - 1, Math.max(0, Math.floor(p * BINS)));
        boolean positive = label > 0.5f;
        if (positive) {
            positives[bin]++;
            logLoss -= Math.log(Math.max(p, EPS));
        } else {
            negatives[bin]++;
            logLoss -= Math.log(Math.max(1 - p, EPS));
        }
        if ((p >= 0.5) == positive) {
            correct++;
        }
        rows++;
    }

    /**
     * Adds a batch of network outputs (rows × units, the positive class in the last unit) against the labels
     * starting at row {@code from} of a label array with {@code width} values per row; reads the output buffer once
     * instead of one indexed access per row.
     */
    public void addBatch(org.nd4j.linalg.api.ndarray.INDArray output, float[] labels, int from, int width) {
        int units = (int) output.size(1);
        float[] p = output.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        int rows = (int) output.size(0);
        for (int r = 0; r < rows; r++) {
            if (target != null) {
                addRegression(target.mean() + target.std() * p[r], target.mean() + target.std() * labels[from + r]);
            } else if (units == 1) {
                add(p[r * units + units - 1], labels[(from + r) * width + width - 1]);
            } else {
                addSoftmax(p, r * units, labels, (from + r) * width, units);
            }
        }
    }

    /**
     * Adds one row of a softmax output against its one-hot label: the true class's probability goes into the log
     * loss, the arg-max into the accuracy; the AUC histograms are a binary output's and stay empty.
     */
    void addSoftmax(float[] p, int at, float[] oneHot, int labelAt, int units) {
        int truth = 0;
        int predicted = 0;
        for (int k = 1; k < units; k++) {
            if (oneHot[labelAt + k] > oneHot[labelAt + truth]) {
                truth = k;
            }
            if (p[at + k] > p[at + predicted]) {
                predicted = k;
            }
        }
        logLoss -= Math.log(Math.max(p[at + truth], EPS));
        if (truth == predicted) {
            correct++;
        }
        rows++;
    }

    public RoundMetrics merge(RoundMetrics o) {
        for (int i = 0; i < BINS; i++) {
            positives[i] += o.positives[i];
            negatives[i] += o.negatives[i];
        }
        logLoss += o.logLoss;
        correct += o.correct;
        rows += o.rows;
        squaredError += o.squaredError;
        absoluteError += o.absoluteError;
        labelSum += o.labelSum;
        labelSquares += o.labelSquares;
        return this;
    }

    public long rows() {
        return rows;
    }

    /** ROC AUC from the histograms; NaN when one class is absent. */
    public double auc() {
        double pos = 0;
        double neg = 0;
        for (int i = 0; i < BINS; i++) {
            pos += positives[i];
            neg += negatives[i];
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        double below = 0;
        double area = 0;
        for (int i = 0; i < BINS; i++) {
            area += positives[i] * (below + 0.5 * negatives[i]);
            below += negatives[i];
        }
        return area / (pos * neg);
    }

    /**
     * The most {@link #auc()} can differ from the exact ROC AUC of the same scores: half the fraction of
     * (positive, negative) pairs that share a bin (see the class comment); NaN when one class is absent.
     */
    public double aucErrorBound() {
        double pos = 0;
        double neg = 0;
        double shared = 0;
        for (int i = 0; i < BINS; i++) {
            pos += positives[i];
            neg += negatives[i];
            shared += (double) positives[i] * negatives[i];
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return 0.5 * shared / (pos * neg);
    }

    public double accuracy() {
        return rows == 0 || target != null ? Double.NaN : (double) correct / rows;
    }

    public double logLoss() {
        return rows == 0 || target != null ? Double.NaN : logLoss / rows;
    }

    /** Root mean squared error of a regression, on the label's scale; NaN for a class output. */
    public double rmse() {
        return rows == 0 || target == null ? Double.NaN : Math.sqrt(squaredError / rows);
    }

    public double mae() {
        return rows == 0 || target == null ? Double.NaN : absoluteError / rows;
    }

    /** 1 − SSE / total sum of squares around the rows' own mean label; NaN for a class output or a constant label. */
    public double r2() {
        if (rows == 0 || target == null) {
            return Double.NaN;
        }
        double total = labelSquares - labelSum * labelSum / rows;
        return total > 0 ? 1 - squaredError / total : Double.NaN;
    }
}
