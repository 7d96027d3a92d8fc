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
 * ±{@value #CLIP}; categorical columns are one-hot encoded over the training vocabulary plus one
 * out-of-vocabulary slot (which also takes nulls and categories first seen at scoring time).
 *
 * <p>Layout of an encoded row: numeric features in {@link #numeric()} order, then for each categorical feature
 * its vocabulary slots followed by its out-of-vocabulary slot. Immutable and serialisable (Spark ships it to
 * executors); {@link #toJson()} is the persisted form.
 */
public final class TabularPreprocessor implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Standardised values are clipped to this magnitude so that one extreme input cannot saturate the network. */
    public static final double CLIP = 10.0;

    /** Marker of the out-of-vocabulary slot in {@link #encodedFeatureNames()}. */
    public static final String OUT_OF_VOCABULARY = "<other>";

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

    /** A one-hot encoded categorical input over {@code vocabulary} plus one out-of-vocabulary slot. */
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
    private final int width;
    private transient Map<String, Integer>[] index;

    public TabularPreprocessor(List<NumericFeature> numeric, List<CategoricalFeature> categorical) {
        this.numeric = List.copyOf(numeric);
        this.categorical = List.copyOf(categorical);
        if (this.numeric.isEmpty() && this.categorical.isEmpty()) {
            throw new IllegalArgumentException("a preprocessor needs at least one feature");
        }
        int w = this.numeric.size();
        for (CategoricalFeature c : this.categorical) {
            w += c.vocabulary().size() + 1;
        }
        this.width = w;
    }

    public List<NumericFeature> numeric() {
        return numeric;
    }

    public List<CategoricalFeature> categorical() {
        return categorical;
    }

    /** Width of an encoded row: the network's input size. */
    public int width() {
        return width;
    }

    public List<String> numericColumns() {
        return numeric.stream().map(NumericFeature::name).toList();
    }

    public List<String> categoricalColumns() {
        return categorical.stream().map(CategoricalFeature::name).toList();
    }

    /** A readable name per encoded slot, e.g. {@code age}, {@code home_ownership=RENT}, {@code home_ownership=<other>}. */
    public List<String> encodedFeatureNames() {
        List<String> names = new ArrayList<>(width);
        numeric.forEach(n -> names.add(n.name()));
        for (CategoricalFeature c : categorical) {
            c.vocabulary().forEach(v -> names.add(c.name() + "=" + v));
            names.add(c.name() + "=" + OUT_OF_VOCABULARY);
        }
        return names;
    }

    /**
     * Encodes one row into {@code out[offset, offset + width())}.
     *
     * @param numericValues     values in {@link #numericColumns()} order
     * @param categoricalValues values in {@link #categoricalColumns()} order; null means missing
     * @return null when the row was encoded, otherwise a one-line reason why it cannot be (the slice of
     *         {@code out} is then unspecified)
     */
    public String encode(double[] numericValues, String[] categoricalValues, float[] out, int offset) {
        if (numericValues.length != numeric.size() || categoricalValues.length != categorical.size()) {
            throw new IllegalArgumentException("expected " + numeric.size() + " numeric and " + categorical.size()
                    + " categorical values, got " + numericValues.length + " and " + categoricalValues.length);
        }
        int o = offset;
        for (int i = 0; i < numericValues.length; i++) {
            double v = numericValues[i];
            if (!Double.isFinite(v)) {
                return "non-finite value " + v + " in column " + numeric.get(i).name();
            }
            NumericFeature f = numeric.get(i);
            double z = (v - f.mean()) / f.std();
            out[o++] = (float) Math.max(-CLIP, Math.min(CLIP, z));
        }
        Map<String, Integer>[] idx = index();
        for (int c = 0; c < categoricalValues.length; c++) {
            int slots = categorical.get(c).vocabulary().size() + 1;
            for (int s = 0; s < slots; s++) {
                out[o + s] = 0f;
            }
            String value = categoricalValues[c];
            Integer hot = value == null ? null : idx[c].get(value);
            out[o + (hot == null ? slots - 1 : hot)] = 1f;
            o += slots;
        }
        return null;
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
