package io.fedlake.train.federated;

import java.util.List;

/**
 * Coordinate-wise β-trimmed mean aggregation (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards
 * Optimal Statistical Rates", Definition 2): per coordinate, the {@code floor(β·n)} largest and smallest of the n
 * client values are dropped and the rest averaged, unweighted. Tolerates up to that many Byzantine clients per side.
 * Needs every client's update, so it cannot run behind secure aggregation or DP-FedAvg.
 */
public class FedTrimmedMean extends FedAvg {

    public static final String NAME = "trimmed-mean";

    private static final long serialVersionUID = 1L;

    private final double beta;

    public FedTrimmedMean(ClientSampling sampling, double serverLearningRate, double beta) {
        super(sampling, serverLearningRate);
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("trim beta must be in [0, 0.5), got " + beta);
        }
        this.beta = beta;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public float[] aggregateFit(int round, float[] global, List<ClientUpdate> results, List<ClientFailure> failures) {
        if (results.isEmpty()) {
            return null;
        }
        return applyServerUpdate(global, Aggregation.trimmedMean(Aggregation.deltaRows(results), beta));
    }

    @Override
    public boolean needsIndividualUpdates() {
        return true;
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "coordinate-wise β-trimmed mean --trim of the client deltas (Yin et al. 2018)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedTrimmedMean(c.sampling(), c.serverLearningRate(), c.trimBeta());
        }

        @Override
        public java.util.List<String> options() {
            return java.util.List.of("--trim");
        }
    }
}
