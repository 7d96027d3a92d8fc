package io.fedlake.zoo;

import io.fedlake.core.Extension;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A named network architecture: the one contract through which the CLI, the trainers and the scorer obtain
 * an untrained network.
 *
 * <p>An {@link Extension}: implementations are listed in {@code META-INF/services/io.fedlake.zoo.Architecture},
 * so a new architecture plugs in by adding a class and one line. Every architecture is a {@link ComputationGraph} whose inputs and outputs are exactly those of the
 * {@link ModelSpec}, in order, so training and scoring code is the same for all of them. Implementations must
 * be stateless and deterministic: the same spec and {@link ModelHyperParams} (including the seed) give
 * bit-identical initial parameters.
 */
public interface Architecture extends Extension {

    /**
     * Builds and initialises an untrained network.
     *
     * @throws IllegalArgumentException when the spec does not fit (e.g. an image model without an image input),
     *                                  with a message naming what is missing
     */
    ComputationGraph build(ModelSpec spec, ModelHyperParams params);
}
