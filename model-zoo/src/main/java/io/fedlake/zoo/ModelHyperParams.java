package io.fedlake.zoo;

import java.util.List;

/**
 * Hyper-parameters shared by the tabular architectures. Validated at construction; messages name the field.
 *
 * @param hiddenLayers widths of the hidden layers, in order (empty for a linear model)
 * @param dropout      probability of dropping a hidden activation during training, in [0, 1)
 * @param learningRate step size of the updater, &gt; 0
 * @param l2           L2 weight penalty, ≥ 0
 * @param seed         seed for parameter initialisation and dropout masks
 * @param updater      {@code adam} (Kingma &amp; Ba 2015), {@code nesterovs} (momentum 0.9), {@code rmsprop} or {@code sgd}
 */
public record ModelHyperParams(List<Integer> hiddenLayers, double dropout, double learningRate, double l2, long seed, String updater) {

    public static final List<String> UPDATERS = List.of("adam", "nesterovs", "rmsprop", "sgd");

    /** With the Adam updater. */
    public ModelHyperParams(List<Integer> hiddenLayers, double dropout, double learningRate, double l2, long seed) {
        this(hiddenLayers, dropout, learningRate, l2, seed, "adam");
    }

    public ModelHyperParams {
        if (hiddenLayers == null) {
            throw new IllegalArgumentException("hiddenLayers must not be null");
        }
        for (Integer width : hiddenLayers) {
            if (width == null || width < 1) {
                throw new IllegalArgumentException("hiddenLayers widths must be ≥ 1, got " + hiddenLayers);
            }
        }
        hiddenLayers = List.copyOf(hiddenLayers);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        if (!UPDATERS.contains(updater)) {
            throw new IllegalArgumentException("updater must be one of " + UPDATERS + ", got '" + updater + "'");
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("l2 must be ≥ 0, got " + l2);
        }
    }

    /** Defaults for the image fusion models: one 64-wide dense layer after the fused features. */
    /** The updater as DL4J configures it. */
    public org.nd4j.linalg.learning.config.IUpdater dl4jUpdater() {
        return switch (updater) {
            case "nesterovs" -> new org.nd4j.linalg.learning.config.Nesterovs(learningRate, 0.9);
            case "rmsprop" -> new org.nd4j.linalg.learning.config.RmsProp(learningRate);
            case "sgd" -> new org.nd4j.linalg.learning.config.Sgd(learningRate);
            default -> new org.nd4j.linalg.learning.config.Adam(learningRate);
        };
    }

    public static ModelHyperParams imageDefaults(long seed) {
        return new ModelHyperParams(List.of(64), 0.2, 2e-3, 1e-5, seed);
    }

    /** Defaults that train well on the project's synthetic credit data. */
    public static ModelHyperParams creditDefaults(long seed) {
        return new ModelHyperParams(List.of(64, 32), 0.1, 5e-3, 1e-5, seed);
    }
}
