package io.fedlake.translate;

import io.fedlake.cli.UserError;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The one boundary between Spark rows and network inputs, shared by training, evaluation and scoring so they
 * see identical preprocessing. Built against a table schema: column presence and types are checked once, on
 * the driver, before any Spark work starts; per row it only reads by index and encodes.
 */
public final class TabularTranslator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TabularPreprocessor preprocessor;
    private final int[] numericIndex;
    private final int[] categoricalIndex;
    private final int labelIndex;
    private final String[] numericNames;

    /**
     * @param labelColumn null when rows carry no label (scoring)
     * @throws UserError naming the table and columns when the schema does not fit
     */
    public TabularTranslator(TabularPreprocessor preprocessor, StructType schema, String labelColumn, String tableName) {
        this.preprocessor = preprocessor;
        List<String> missing = new ArrayList<>();
        List<String> mistyped = new ArrayList<>();
        this.numericIndex = indices(schema, preprocessor.numericColumns(), missing, mistyped, true);
        this.categoricalIndex = indices(schema, preprocessor.categoricalColumns(), missing, mistyped, false);
        int label = -1;
        if (labelColumn != null) {
            int[] l = indices(schema, List.of(labelColumn), missing, mistyped, true);
            label = l[0];
        }
        if (!missing.isEmpty()) {
            throw UserError.missingColumns(tableName, missing, List.of(schema.fieldNames()));
        }
        if (!mistyped.isEmpty()) {
            throw new UserError("table " + tableName + " has column(s) of the wrong type: " + String.join(", ", mistyped));
        }
        this.labelIndex = label;
        this.numericNames = preprocessor.numericColumns().toArray(new String[0]);
    }

    private static int[] indices(StructType schema, List<String> names, List<String> missing, List<String> mistyped, boolean numeric) {
        int[] idx = new int[names.size()];
        for (int i = 0; i < idx.length; i++) {
            String name = names.get(i);
            StructField f = find(schema, name);
            if (f == null) {
                missing.add(name);
                continue;
            }
            DataType t = f.dataType();
            boolean ok = numeric ? t instanceof NumericType || t instanceof BooleanType
                    : t instanceof StringType || t instanceof NumericType || t instanceof BooleanType;
            if (!ok) {
                mistyped.add(name + " (" + t.simpleString() + ", expected " + (numeric ? "numeric" : "string") + ")");
            }
            idx[i] = schema.fieldIndex(name);
        }
        return idx;
    }

    private static StructField find(StructType schema, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    public int width() {
        return preprocessor.width();
    }

    public TabularPreprocessor preprocessor() {
        return preprocessor;
    }

    /**
     * Encodes one row into {@code out[offset, offset + width())}.
     *
     * @return null when encoded, otherwise a one-line reason (missing or non-finite value, missing label)
     */
    public String encode(Row row, float[] out, int offset, double[] numericScratch, String[] categoricalScratch) {
        for (int i = 0; i < numericIndex.length; i++) {
            int j = numericIndex[i];
            if (row.isNullAt(j)) {
                return "missing value in column " + numericNames[i];
            }
            numericScratch[i] = toDouble(row.get(j));
        }
        for (int i = 0; i < categoricalIndex.length; i++) {
            int j = categoricalIndex[i];
            categoricalScratch[i] = row.isNullAt(j) ? null : String.valueOf(row.get(j));
        }
        if (labelIndex >= 0) {
            if (row.isNullAt(labelIndex)) {
                return "missing label";
            }
            double y = toDouble(row.get(labelIndex));
            if (y != 0.0 && y != 1.0) {
                return "label must be 0 or 1, got " + y;
            }
        }
        return preprocessor.encode(numericScratch, categoricalScratch, out, offset);
    }

    /** The 0/1 label of a row that {@link #encode} accepted. */
    public float label(Row row) {
        return (float) toDouble(row.get(labelIndex));
    }

    public double[] newNumericScratch() {
        return new double[numericIndex.length];
    }

    public String[] newCategoricalScratch() {
        return new String[categoricalIndex.length];
    }

    private static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        return ((Number) v).doubleValue();
    }
}
