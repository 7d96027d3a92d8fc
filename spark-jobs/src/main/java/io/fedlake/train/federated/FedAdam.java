package io.fedlake.train.federated;

import java.util.Map;

/**
 * FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2): the server runs Adam on the
 * pseudo-gradient −Δ̄, {@code m ← β1·m + (1−β1)·Δ̄; v ← β2·v + (1−β2)·Δ̄²; w ← w + η·m/(√v + τ)}. The paper's
 * defaults are β1 = 0.9, β2 = 0.99 and τ = 10⁻³; the server learning rate η has to be tuned (the paper's grid is
 * 10⁻³…1, with 10⁻² a common best value), so it has no silent default here. The moments start at zero and are
 * checkpointed as {@code m} and {@code v}.
 */
public class FedAdam extends FedAvg {

    public static final String NAME = "fedadam";

    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.99;
    public static final double DEFAULT_TAU = 1e-3;
    static final String FIRST_MOMENT = "m";
    static final String SECOND_MOMENT = "v";

    private final double beta1;
    private final double beta2;
    private final double tau;
    private float[] m;
    private float[] v;

    public FedAdam(ClientSampling sampling, double serverLearningRate) {
        this(sampling, serverLearningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_TAU);
    }

    public FedAdam(ClientSampling sampling, double serverLearningRate, double beta1, double beta2, double tau) {
        super(sampling, serverLearningRate);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(tau > 0)) {
            throw new IllegalArgumentException("tau must be > 0, got " + tau);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.tau = tau;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected float[] applyServerUpdate(float[] global, float[] meanDelta) {
        if (m == null) {
            m = new float[global.length];
            v = new float[global.length];
        }
        return ServerOptimizers.adam(global, m, v, meanDelta, serverLearningRate, beta1, beta2, tau);
    }

    @Override
    public Map<String, float[]> state() {
        return m == null ? Map.of() : Map.of(FIRST_MOMENT, m.clone(), SECOND_MOMENT, v.clone());
    }

    @Override
    public void restoreState(Map<String, float[]> state) {
        StrategyState.requireOnly(name(), state, FIRST_MOMENT, SECOND_MOMENT);
        if (state.isEmpty()) {
            m = null;
            v = null;
            return;
        }
        float[] first = state.get(FIRST_MOMENT);
        float[] second = state.get(SECOND_MOMENT);
        if (first == null || second == null || first.length != second.length) {
            throw new IllegalArgumentException(name() + " checkpoint needs both moments m and v of equal length, got " + state.keySet());
        }
        m = first.clone();
        v = second.clone();
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "Adam on the server over the mean client delta (Reddi et al. 2021)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedAdam(c.sampling(), c.serverLearningRate());
        }

        @Override
        public double defaultServerLearningRate() {
            return 0.01; // Reddi et al. 2021 tune η per task; 1 diverges
        }
    }
}
