package io.fedlake.translate;

import io.fedlake.zoo.ModelSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns of a table are what: entity key, client key, numeric and categorical features, an optional
 * image column, and the outputs with their label columns and classes. The three shipped domains are presets of
 * this ({@code io.fedlake.preset.Domain}); any ingested Delta table can be described with one.
 *
 * @param clientKey   federated client column (may be null)
 * @param imageColumn       binary column with an encoded image (null for tabular data)
 * @param standardizeImages per-image zero mean / unit variance, for images where what matters is a small deviation
 *                          from a uniform texture (surface inspection)
 */
public record DataSpec(String entityKey, String clientKey, List<String> numeric, List<String> categorical, String imageColumn,
                       List<ModelSpec.Output> outputs, boolean standardizeImages) implements Serializable {

    public DataSpec {
        if (entityKey == null || entityKey.isBlank()) {
            throw new IllegalArgumentException("entity key column must not be blank");
        }
        numeric = List.copyOf(numeric);
        categorical = List.copyOf(categorical);
        outputs = List.copyOf(outputs);
        if (numeric.isEmpty() && categorical.isEmpty() && imageColumn == null) {
            throw new IllegalArgumentException("at least one feature column or an image column is needed");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("at least one output (label column) is needed");
        }
        List<String> features = new ArrayList<>(numeric);
        features.addAll(categorical);
        if (imageColumn != null) {
            features.add(imageColumn);
        }
        for (String c : features) {
            if (c.equals(entityKey) || outputs.stream().anyMatch(o -> o.column().equals(c))) {
                throw new IllegalArgumentException("column '" + c + "' cannot be both a feature and the label or key");
            }
        }
        if (features.stream().distinct().count() != features.size()) {
            throw new IllegalArgumentException("a column is listed twice among the features: " + features);
        }
    }

    public static ModelSpec.Output binary(String name, String labelColumn) {
        return new ModelSpec.Output(name, labelColumn, List.of("0", "1"));
    }

    /** The same spec with other feature columns or label (for user tables). */
    public DataSpec with(String key, List<String> numeric, List<String> categorical, String label) {
        return new DataSpec(key != null ? key : entityKey, clientKey, numeric != null ? numeric : this.numeric,
                categorical != null ? categorical : this.categorical, imageColumn,
                label != null ? List.of(binary("p_" + label, label)) : outputs, standardizeImages);
    }

    public List<String> labelColumns() {
        return outputs.stream().map(ModelSpec.Output::column).toList();
    }

    /** Every column training reads: features, image, labels and the key. */
    public List<String> columnsRead() {
        List<String> all = new ArrayList<>(numeric);
        all.addAll(categorical);
        if (imageColumn != null) {
            all.add(imageColumn);
        }
        labelColumns().stream().filter(c -> !all.contains(c)).forEach(all::add);
        all.add(entityKey);
        return all;
    }

    /**
     * Features of a user's table when none are named: every other column except the key, the client column and the
     * label — numeric and boolean columns as numeric features, strings as categorical, and one binary column as the
     * image. Other types (dates, arrays, …) are left out and listed in {@code skipped}.
     */
    public static DataSpec inferred(org.apache.spark.sql.types.StructType schema, String key, String clientKey, String label,
                                    boolean standardizeImages, List<String> skipped) {
        List<String> numeric = new ArrayList<>();
        List<String> categorical = new ArrayList<>();
        String image = null;
        for (org.apache.spark.sql.types.StructField f : schema.fields()) {
            String c = f.name();
            if (c.equals(key) || c.equals(clientKey) || c.equals(label)) {
                continue;
            }
            org.apache.spark.sql.types.DataType t = f.dataType();
            if (t instanceof org.apache.spark.sql.types.NumericType || t instanceof org.apache.spark.sql.types.BooleanType) {
                numeric.add(c);
            } else if (t instanceof org.apache.spark.sql.types.StringType) {
                categorical.add(c);
            } else if (t instanceof org.apache.spark.sql.types.BinaryType && image == null) {
                image = c;
            } else {
                skipped.add(c + " (" + t.simpleString() + ")");
            }
        }
        return new DataSpec(key, clientKey, numeric, categorical, image, List.of(binary("p_" + label, label)), standardizeImages);
    }
}
