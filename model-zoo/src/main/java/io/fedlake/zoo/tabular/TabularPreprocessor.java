package io.fedlake.zoo.tabular;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Preprocessing fitted on the training split and saved with the model, so that training and scoring encode rows
 * identically: numeric columns are standardised with the training mean and standard deviation and clipped to
 * ±{@value #CLIP} into one dense input; each categorical column becomes an index input over the training
 * vocabulary plus one out-of-vocabulary index (which also takes nulls and categories first seen at scoring
 * time), fed to an embedding. Immutable and serialisable (Spark ships it to executors); {@link #toJson()} is
 * the persisted form.
 */
public final class TabularPreprocessor implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Standardised values are clipped to this magnitude so that one extreme input cannot saturate the network. */
    public static final double CLIP = 10.0;

    /** Name of the dense input that carries the numeric features. */
    public static final String NUMERIC_INPUT = "numeric";

    /** Prefix of each categorical feature's input name. */
    public static final String CATEGORICAL_INPUT_PREFIX = "cat_";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A standardised numeric input. {@code std} is the divisor (1 when the training column was constant). */
    public record NumericFeature(String name, double mean, double std) implements Serializable {
        public NumericFeature {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("numeric feature name must not be blank");
            }
            if (!Double.isFinite(mean)) {
                throw new IllegalArgumentException("mean of '" + name + "' must be finite, got " + mean);
            }
            if (!(std > 0) || !Double.isFinite(std)) {
                throw new IllegalArgumentException("std of '" + name + "' must be finite and > 0, got " + std);
            }
        }
    }

    /** A categorical input indexed over {@code vocabulary}, with index {@code vocabulary.size()} for anything else. */
    public record CategoricalFeature(String name, List<String> vocabulary) implements Serializable {
        public CategoricalFeature {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("categorical feature name must not be blank");
            }
            vocabulary = List.copyOf(vocabulary);
            if (vocabulary.stream().distinct().count() != vocabulary.size()) {
                throw new IllegalArgumentException("vocabulary of '" + name + "' has duplicates: " + vocabulary);
            }
        }
    }

    private final List<NumericFeature> numeric;
    private final List<CategoricalFeature> categorical;
    private transient Map<String, Integer>[] index;

    public TabularPreprocessor(List<NumericFeature> numeric, List<CategoricalFeature> categorical) {
        this.numeric = List.copyOf(numeric);
        this.categorical = List.copyOf(categorical);
        if (this.numeric.isEmpty() && this.categorical.isEmpty()) {
            throw new IllegalArgumentException("a preprocessor needs at least one feature");
        }
    }

    public List<NumericFeature> numeric() {
        return numeric;
    }

    public List<CategoricalFeature> categorical() {
        return categorical;
    }

    /** Width of the dense numeric input (0 when there are no numeric features). */
    public int numericWidth() {
        return numeric.size();
    }

    /** Number of distinct indexes of categorical feature {@code c}: its vocabulary plus the out-of-vocabulary index. */
    public int cardinality(int c) {
        return categorical.get(c).vocabulary().size() + 1;
    }

    public List<String> numericColumns() {
        return numeric.stream().map(NumericFeature::name).toList();
    }

    public List<String> categoricalColumns() {
        return categorical.stream().map(CategoricalFeature::name).toList();
    }

    /**
     * Standardises one row's numeric values into {@code out[offset, offset + numericWidth())}.
     *
     * @return null when encoded, otherwise a one-line reason why it cannot be
     */
    public String encodeNumeric(double[] values, float[] out, int offset) {
        if (values.length != numeric.size()) {
            throw new IllegalArgumentException("expected " + numeric.size() + " numeric values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                return "non-finite value " + v + " in column " + numeric.get(i).name();
            }
            NumericFeature f = numeric.get(i);
            out[offset + i] = (float) Math.max(-CLIP, Math.min(CLIP, (v - f.mean()) / f.std()));
        }
        return null;
    }

    /** Index of {@code value} for categorical feature {@code c}; null and unseen values get the out-of-vocabulary index. */
    public int categoryIndex(int c, String value) {
        Integer i = value == null ? null : index()[c].get(value);
        return i == null ? categorical.get(c).vocabulary().size() : i;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Integer>[] index() {
        Map<String, Integer>[] idx = index;
        if (idx == null) {
            idx = new Map[categorical.size()];
            for (int c = 0; c < idx.length; c++) {
                Map<String, Integer> m = new HashMap<>();
                List<String> vocab = categorical.get(c).vocabulary();
                for (int i = 0; i < vocab.size(); i++) {
                    m.put(vocab.get(i), i);
                }
                idx[c] = m;
            }
            index = idx;
        }
        return idx;
    }

    /** The persisted form: {"numeric":[{"name","mean","std"}…],"categorical":[{"name","vocabulary"}…]}. */
    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(new Json(numeric, categorical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise preprocessor", e);
        }
    }

    public static TabularPreprocessor fromJson(String json) {
        try {
            Json j = JSON.readValue(json, Json.class);
            return new TabularPreprocessor(j.numeric(), j.categorical());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid preprocessor document: " + e.getOriginalMessage(), e);
        }
    }

    private record Json(List<NumericFeature> numeric, List<CategoricalFeature> categorical) {
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TabularPreprocessor p && p.numeric.equals(numeric) && p.categorical.equals(categorical);
    }

    @Override
    public int hashCode() {
        return numeric.hashCode() * 31 + categorical.hashCode();
    }
}
