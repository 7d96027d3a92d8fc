package io.fedlake.train.federated;

import java.util.List;

/**
 * Federated averaging (McMahan et al. 2017, "Communication-Efficient Learning of Deep Networks from Decentralized
 * Data"): the new global model is the example-weighted mean of the clients' models, i.e.
 * {@code w ← w + serverLearningRate · Σ n_k Δ_k / Σ n_k} (server learning rate 1 in the paper). Failed clients are
 * simply left out of the mean.
 */
public class FedAvg implements Strategy {

    public static final String NAME = "fedavg";

    private static final long serialVersionUID = 1L;

    protected final ClientSampling sampling;
    protected final double serverLearningRate;

    public FedAvg(ClientSampling sampling) {
        this(sampling, 1.0);
    }

    public FedAvg(ClientSampling sampling, double serverLearningRate) {
        if (!(serverLearningRate > 0)) {
            throw new IllegalArgumentException("server learning rate must be > 0, got " + serverLearningRate);
        }
        this.sampling = sampling;
        this.serverLearningRate = serverLearningRate;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> sampleClients(int round, List<String> available, long seed) {
        return sampling.sample(round, available, seed);
    }

    @Override
    public ClientSampling sampling() {
        return sampling;
    }

    @Override
    public float[] aggregateFit(int round, float[] global, List<ClientUpdate> results, List<ClientFailure> failures) {
        float[] mean = Aggregation.weightedMeanDelta(results);
        return mean == null ? null : applyServerUpdate(global, mean);
    }

    /** The server step from the aggregated delta; FedAvgM and FedAdam override this with their optimisers. */
    protected float[] applyServerUpdate(float[] global, float[] meanDelta) {
        return Aggregation.add(global, meanDelta, serverLearningRate);
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "federated averaging: example-weighted mean of the client models (McMahan et al. 2017)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedAvg(c.sampling(), c.serverLearningRate());
        }
    }
}
