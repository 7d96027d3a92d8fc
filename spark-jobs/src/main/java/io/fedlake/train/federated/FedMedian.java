package io.fedlake.train.federated;

import java.util.List;

/**
 * Coordinate-wise median aggregation (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates"): the aggregated delta is the unweighted per-coordinate median of the client deltas, which a
 * minority of arbitrary (Byzantine) updates cannot drag away. Needs every client's update, so it cannot run behind
 * secure aggregation or DP-FedAvg.
 */
public class FedMedian extends FedAvg {

    public static final String NAME = "median";

    private static final long serialVersionUID = 1L;

    public FedMedian(ClientSampling sampling, double serverLearningRate) {
        super(sampling, serverLearningRate);
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
        return applyServerUpdate(global, Aggregation.coordinateMedian(Aggregation.deltaRows(results)));
    }

    @Override
    public boolean needsIndividualUpdates() {
        return true;
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "coordinate-wise median of the client deltas (Yin et al. 2018)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedMedian(c.sampling(), c.serverLearningRate());
        }
    }
}
