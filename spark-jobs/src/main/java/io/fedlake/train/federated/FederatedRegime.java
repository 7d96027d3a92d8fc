package io.fedlake.train.federated;

import io.fedlake.train.RegimeArguments;
import io.fedlake.train.RegimeFactory;
import io.fedlake.train.RegimeSettings;
import io.fedlake.train.Trainer;
import io.fedlake.translate.DataSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Registers federated averaging, {@link FederatedTrainer}: the clients are the values of a column, the
 * aggregation strategy is any registered {@link StrategyFactory}, with optional DP-FedAvg and secure aggregation.
 */
public final class FederatedRegime implements RegimeFactory {

    @Override
    public String name() {
        return FederatedTrainer.REGIME;
    }

    @Override
    public String description() {
        return "federated averaging: one client per value of --client-column, any registered strategy, DP and secure aggregation";
    }

    @Override
    public List<String> options() {
        List<String> o = new ArrayList<>(List.of("--eval-every", "--checkpoint-every", "--rounds", "--local-epochs", "--local-batch", "--strategy",
                "--client-fraction", "--min-clients", "--server-lr", "--min-completion", "--round-retries", "--round-timeout", "--client-dropout",
                "--stragglers", "--target-auc", "--secure-aggregation", "--client-keys", "--dp-noise", "--dp-clip", "--dp-delta", "--dp-epsilon",
                "--max-update-norm", "--max-clients"));
        for (String s : Strategies.names()) {
            o.addAll(Strategies.factory(s).options());
        }
        return List.copyOf(o);
    }

    @Override
    public RegimeSettings settings(RegimeArguments a, DataSpec spec) {
        String clientColumn = a.value("--client-column", String.class);
        Double dpNoise = a.value("--dp-noise", Double.class);
        return new FederatedConfig(clientColumn != null ? clientColumn : spec.clientKey(), a.value("--rounds", Integer.class),
                a.value("--local-epochs", Integer.class), a.value("--local-batch", Integer.class), a.value("--min-completion", Double.class),
                a.value("--round-retries", Integer.class), a.value("--round-timeout", Double.class), a.value("--client-dropout", Double.class),
                a.value("--stragglers", Double.class), a.value("--target-auc", Double.class), a.value("--secure-aggregation", Boolean.class),
                dpNoise == null ? null : new DpConfig(a.value("--dp-clip", Double.class), dpNoise, a.value("--dp-delta", Double.class),
                        a.value("--dp-epsilon", Double.class)),
                a.value("--client-keys", String.class));
    }

    @Override
    public Trainer create(RegimeArguments a) {
        String strategy = a.value("--strategy", String.class);
        StrategyFactory factory = Strategies.factory(strategy);
        StrategyConfig sc = StrategyConfig.defaults(strategy)
                .withSampling(a.value("--client-fraction", Double.class), a.value("--min-clients", Integer.class))
                .withServerMomentum(a.value("--server-momentum", Double.class))
                .withTrimBeta(a.value("--trim", Double.class));
        if (factory.options().contains("--mu")) {
            sc = sc.withProximalMu(a.value("--mu", Double.class));
        }
        Double serverLr = a.value("--server-lr", Double.class);
        if (serverLr != null) {
            sc = sc.withServerLearningRate(serverLr);
        }
        Strategy built = factory.create(sc);
        boolean secure = a.value("--secure-aggregation", Boolean.class);
        if ((secure || a.value("--dp-noise", Double.class) != null) && built.needsIndividualUpdates()) {
            throw new IllegalArgumentException("--strategy " + strategy + " needs each client's update, but "
                    + (secure ? "--secure-aggregation" : "DP-FedAvg (--dp-noise)") + " only reveals their sum");
        }
        return new FederatedTrainer(built, new ClientLimits(a.value("--max-update-norm", Double.class),
                a.value("--max-clients", Integer.class)));
    }
}
