package io.fedlake.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A named network architecture: the one contract through which the CLI, the trainers and the scorer obtain
 * an untrained network.
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/io.fedlake.zoo.Architecture}), so a new architecture plugs in by adding a class and
 * one line, without touching the CLI. Implementations must be stateless and deterministic: the same input width
 * and {@link ModelHyperParams} (including the seed) must give a network with bit-identical initial parameters.
 */
public interface Architecture {

    /** Stable name used on the command line and recorded in provenance, e.g. {@code credit-mlp}. */
    String name();

    /** One line for {@code --help} listings. */
    String description();

    /**
     * Builds and initialises an untrained network.
     *
     * @param inputWidth number of input columns after preprocessing (≥ 1)
     * @param params     validated hyper-parameters
     * @return an initialised network whose output is one column: the probability of the positive class
     */
    MultiLayerNetwork build(int inputWidth, ModelHyperParams params);
}
