package io.fedlake.train;

import java.util.List;

/** Registers Deeplearning4j Spark's ParameterAveragingTrainingMaster, {@link Dl4jParameterAveragingTrainer}. */
public final class Dl4jParamAvgRegime implements RegimeFactory {

    @Override
    public String name() {
        return Dl4jParameterAveragingTrainer.REGIME;
    }

    @Override
    public String description() {
        return "Deeplearning4j Spark's ParameterAveragingTrainingMaster";
    }

    @Override
    public List<String> options() {
        return List.of("--epochs", "--batch-size", "--averaging-frequency", "--workers", "--prefetch", "--storage-level", "--repartition");
    }

    @Override
    public Trainer create(RegimeArguments args) {
        return Dl4jParameterAveragingTrainer.of(args.value("--storage-level", String.class), args.value("--repartition", String.class));
    }
}
