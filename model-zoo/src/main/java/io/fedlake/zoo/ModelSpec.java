package io.fedlake.zoo;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed inputs and outputs of a network, derived from the fitted preprocessing so that an architecture is
 * built for exactly what the translator produces. Inputs are fed in list order; outputs are returned in list
 * order.
 *
 * @param inputs  at least one
 * @param outputs at least one
 */
public record ModelSpec(List<Input> inputs, List<Output> outputs) implements Serializable {

    public ModelSpec {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one input");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one output");
        }
        List<String> names = new ArrayList<>();
        inputs.forEach(i -> names.add(i.name()));
        outputs.forEach(o -> names.add(o.name()));
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("input and output names must be unique, got " + names);
        }
    }

    /** One network input. */
    public sealed interface Input extends Serializable permits Dense, Categorical, Image {
        String name();
    }

    /** Standardised numeric features, shape [batch, width]. */
    public record Dense(String name, int width) implements Input {
        public Dense {
            if (width < 1) {
                throw new IllegalArgumentException("dense input '" + name + "' needs width ≥ 1, got " + width);
            }
        }
    }

    /** One categorical feature as an index in [0, cardinality), shape [batch, 1]; fed to an embedding. */
    public record Categorical(String name, int cardinality) implements Input {
        public Categorical {
            if (cardinality < 1) {
                throw new IllegalArgumentException("categorical input '" + name + "' needs cardinality ≥ 1, got " + cardinality);
            }
        }

        /** Embedding width: grows with the square root of the cardinality, at most 16. */
        public int embeddingWidth() {
            return Math.min(16, 1 + (int) Math.ceil(Math.sqrt(cardinality)));
        }
    }

    /** An image scaled to [0, 1], shape [batch, channels, height, width] (NCHW). */
    public record Image(String name, int channels, int height, int width) implements Input {
        public Image {
            if (channels < 1 || height < 8 || width < 8) {
                throw new IllegalArgumentException("image input '" + name + "' needs ≥ 1 channel and ≥ 8×8 pixels, got "
                        + channels + "×" + height + "×" + width);
            }
        }
    }

    /**
     * One network output: a sigmoid probability when {@code classes} has two entries (the probability of the second),
     * otherwise a softmax over {@code classes}.
     *
     * @param column  label column it is trained against
     * @param classes class labels as they appear in the column, e.g. ["0", "1"] or ["none", "scratch", "spot", "crack"]
     */
    public record Output(String name, String column, List<String> classes) implements Serializable {
        public Output {
            classes = List.copyOf(classes);
            if (classes.size() < 2) {
                throw new IllegalArgumentException("output '" + name + "' needs at least two classes, got " + classes);
            }
        }

        public boolean binary() {
            return classes.size() == 2;
        }

        /** Columns of the output array: 1 for binary, else the class count. */
        public int units() {
            return binary() ? 1 : classes.size();
        }
    }

    public List<Input> tabularInputs() {
        return inputs.stream().filter(i -> !(i instanceof Image)).toList();
    }

    public List<Image> imageInputs() {
        return inputs.stream().filter(i -> i instanceof Image).map(i -> (Image) i).toList();
    }
}
