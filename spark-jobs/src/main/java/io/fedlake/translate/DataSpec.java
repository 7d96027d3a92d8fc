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
 * @param imageHeight       pixels an image must have (rows of another size are rejected with their reason)
 * @param imageWidth        likewise
 */
public record DataSpec(String entityKey, String clientKey, List<String> numeric, List<String> categorical, String imageColumn,
                       List<ModelSpec.Output> outputs, boolean standardizeImages, int imageHeight, int imageWidth) implements Serializable {

    /** Images are decoded at this size unless the table says otherwise. */
    public static final int DEFAULT_IMAGE_SIDE = 64;

    public DataSpec(String entityKey, String clientKey, List<String> numeric, List<String> categorical, String imageColumn,
                    List<ModelSpec.Output> outputs, boolean standardizeImages) {
        this(entityKey, clientKey, numeric, categorical, imageColumn, outputs, standardizeImages, DEFAULT_IMAGE_SIDE, DEFAULT_IMAGE_SIDE);
    }

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
     * Features of a user's table when none are named: every other column except the key, the client column, the
     * label and {@code excluded} (ingest's metadata: a file path often names the class folder, so it would leak the
     * label) — numeric and boolean columns as numeric features, strings as categorical, and the image column
     * ({@code image}, or else the one binary column). Other types (dates, arrays, further binary columns, …) are left
     * out and listed in {@code skipped} with why.
     */
    public static DataSpec inferred(org.apache.spark.sql.types.StructType schema, String key, String clientKey, ModelSpec.Output output, String image,
                                    java.util.Collection<String> excluded, boolean standardizeImages, List<String> skipped) {
        List<String> numeric = new ArrayList<>();
        List<String> categorical = new ArrayList<>();
        String chosenImage = image;
        for (org.apache.spark.sql.types.StructField f : schema.fields()) {
            String c = f.name();
            if (c.equals(key) || c.equals(clientKey) || c.equals(output.column()) || c.equals(image)) {
                continue;
            }
            if (excluded.contains(c)) {
                skipped.add(c + " (ingest metadata)");
                continue;
            }
            org.apache.spark.sql.types.DataType t = f.dataType();
            if (t instanceof org.apache.spark.sql.types.NumericType || t instanceof org.apache.spark.sql.types.BooleanType) {
                numeric.add(c);
            } else if (t instanceof org.apache.spark.sql.types.StringType) {
                categorical.add(c);
            } else if (t instanceof org.apache.spark.sql.types.BinaryType && chosenImage == null) {
                chosenImage = c;
            } else {
                skipped.add(c + " (" + t.simpleString() + ")");
            }
        }
        return new DataSpec(key, clientKey, numeric, categorical, chosenImage, List.of(output), standardizeImages);
    }

    /** The same spec with other outputs. */
    public DataSpec withOutputs(List<ModelSpec.Output> newOutputs) {
        return new DataSpec(entityKey, clientKey, numeric, categorical, imageColumn, newOutputs, standardizeImages, imageHeight, imageWidth);
    }

    /** The same spec decoding images at {@code height}×{@code width}. */
    public DataSpec withImageSize(int height, int width) {
        return new DataSpec(entityKey, clientKey, numeric, categorical, imageColumn, outputs, standardizeImages, height, width);
    }
}
