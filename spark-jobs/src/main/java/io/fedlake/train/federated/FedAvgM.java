package io.fedlake.train.federated;

import java.util.Map;

/**
 * FedAvg with server momentum (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution for
 * Federated Visual Classification"): {@code v ← β·v + Δ̄; w ← w + η·v}, where Δ̄ is the example-weighted mean delta.
 * Momentum damps the oscillation that non-IID clients cause. The velocity v starts at zero and is checkpointed as
 * {@code velocity}.
 */
public class FedAvgM extends FedAvg {

    public static final String NAME = "fedavgm";

    private static final long serialVersionUID = 1L;
    static final String VELOCITY = "velocity";

    private final double momentum;
    private float[] velocity;

    public FedAvgM(ClientSampling sampling, double serverLearningRate, double momentum) {
        super(sampling, serverLearningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("server momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected float[] applyServerUpdate(float[] global, float[] meanDelta) {
        if (velocity == null) {
            velocity = new float[global.length];
        }
        return ServerOptimizers.momentum(global, velocity, meanDelta, serverLearningRate, momentum);
    }

    @Override
    public Map<String, float[]> state() {
        return velocity == null ? Map.of() : Map.of(VELOCITY, velocity.clone());
    }

    @Override
    public void restoreState(Map<String, float[]> state) {
        StrategyState.requireOnly(name(), state, VELOCITY);
        float[] v = state.get(VELOCITY);
        velocity = v == null ? null : v.clone();
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "FedAvg with server momentum --server-momentum (Hsu et al. 2019)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedAvgM(c.sampling(), c.serverLearningRate(), c.serverMomentum());
        }

        @Override
        public java.util.List<String> options() {
            return java.util.List.of("--server-momentum");
        }
    }
}
