package io.fedlake.train;

import java.util.List;

/** Registers Fedlake's own synchronous parameter averaging, {@link ParameterAveragingTrainer}. */
public final class ParamAvgRegime implements RegimeFactory {

    @Override
    public String name() {
        return ParameterAveragingTrainer.REGIME;
    }

    @Override
    public String description() {
        return "Fedlake's synchronous parameter averaging: encoded shards cached on the executors, averaging in place";
    }

    @Override
    public List<String> options() {
        return List.of("--epochs", "--batch-size", "--averaging-frequency", "--workers", "--eval-every", "--checkpoint-every");
    }

    @Override
    public Trainer create(RegimeArguments args) {
        return new ParameterAveragingTrainer();
    }
}
