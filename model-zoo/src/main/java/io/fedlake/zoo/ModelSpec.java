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
     * a softmax over {@code classes} when it has more, and a regression (one linear unit, mean squared error) when it
     * has none. A regression is trained against its label standardised by {@code target}, fitted on the training split;
     * {@link #prediction} maps the unit back to the label's scale.
     *
     * @param column  label column it is trained against
     * @param classes class labels as they appear in the column, e.g. ["0", "1"] or ["none", "scratch", "spot", "crack"];
     *                empty for a regression
     * @param target  a regression's label standardisation; null for a class label, and for a regression not fitted yet
     */
    public record Output(String name, String column, List<String> classes, Target target) implements Serializable {
        public Output {
            classes = List.copyOf(classes);
            if (classes.size() == 1) {
                throw new IllegalArgumentException("output '" + name + "' needs at least two classes (or none, for a regression), got " + classes);
            }
            if (target != null && !classes.isEmpty()) {
                throw new IllegalArgumentException("output '" + name + "' has classes " + classes + " and a regression target");
            }
        }

        /** A class output. */
        public Output(String name, String column, List<String> classes) {
            this(name, column, classes, null);
            if (this.classes.isEmpty()) {
                throw new IllegalArgumentException("output '" + name + "' needs at least two classes, got none");
            }
        }

        /** A regression output whose target is fitted later ({@link #withTarget}). */
        public static Output regression(String name, String column) {
            return new Output(name, column, List.of(), null);
        }

        public Output withTarget(Target t) {
            if (!regression()) {
                throw new IllegalStateException("output '" + name + "' is not a regression");
            }
            return new Output(name, column, classes, t);
        }

        public boolean binary() {
            return classes.size() == 2;
        }

        public boolean regression() {
            return classes.isEmpty();
        }

        /** Columns of the output array: 1 for binary and regression, else the class count. */
        public int units() {
            return classes.size() > 2 ? classes.size() : 1;
        }

        /** A regression's network unit on the label's scale. */
        public double prediction(double unit) {
            return target.mean() + target.std() * unit;
        }
    }

    /**
     * A regression label's standardisation: the network learns (label − mean) / std.
     *
     * @param std &gt; 0 (a constant label has nothing to learn)
     */
    public record Target(double mean, double std) implements Serializable {
        public Target {
            if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std)) {
                throw new IllegalArgumentException("a regression target needs a finite mean and a positive finite standard deviation, got mean "
                        + mean + ", std " + std);
            }
        }

        public float standardised(double label) {
            return (float) ((label - mean) / std);
        }
    }

    public List<Input> tabularInputs() {
        return inputs.stream().filter(i -> !(i instanceof Image)).toList();
    }

    public List<Image> imageInputs() {
        return inputs.stream().filter(i -> i instanceof Image).map(i -> (Image) i).toList();
    }
}
