package io.fedlake.train.federated;

/**
 * FedProx (Li et al. 2020, "Federated Optimization in Heterogeneous Networks"): FedAvg's server aggregation, with
 * every client told to add the proximal term {@code (μ/2)·‖w − w_global‖²} to its local objective (applied by the
 * engine through {@link Proximal#step}). Partial work from stragglers is accepted as is, which FedAvg's weighted
 * mean already does.
 */
public class FedProx extends FedAvg {

    public static final String NAME = "fedprox";

    private static final long serialVersionUID = 1L;

    private final double mu;

    public FedProx(ClientSampling sampling, double serverLearningRate, double mu) {
        super(sampling, serverLearningRate);
        if (!(mu > 0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("proximal mu must be a finite number > 0 for fedprox, got " + mu);
        }
        this.mu = mu;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FitInstructions configureFit(int round, String clientId, FitInstructions defaults) {
        return defaults.withProximalMu(mu);
    }

    /** Li et al. 2020 keep a straggler's partial work; the proximal term keeps it close to the global model. */
    @Override
    public boolean acceptsPartialWork() {
        return true;
    }

    /** Registers this strategy (see {@link StrategyFactory}). */
    public static final class Factory extends StrategyFactory.Base {

        public Factory() {
            super(NAME, "FedAvg with the proximal term --mu on every client (Li et al. 2020)");
        }

        @Override
        public Strategy create(StrategyConfig c) {
            return new FedProx(c.sampling(), c.serverLearningRate(), c.proximalMu());
        }

        @Override
        public double defaultProximalMu() {
            return 0.01; // one of Li et al. 2020's values
        }

        @Override
        public java.util.List<String> options() {
            return java.util.List.of("--mu");
        }
    }
}
