package io.fedlake.translate;

import io.fedlake.core.UserError;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.image.ImagePreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one boundary between Spark rows and network inputs and labels (in the spirit of DJL's Translator), shared
 * by training, evaluation and scoring so they see identical preprocessing. It is built against a table schema on
 * the driver — column presence and types are checked there, before any Spark work — and then only reads fields
 * by index. Rows are written into reusable per-input float buffers ({@link Batch}); ND4J arrays are created once
 * per batch, never per row.
 */
public final class RowTranslator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Preprocessing preprocessing;
    private final ModelSpec spec;
    private final int[] numericIndex;
    private final String[] numericNames;
    private final int[] categoricalIndex;
    private final int imageIndex;
    private final int[] labelIndex;
    /** Column types by ordinal, for reading {@link InternalRow}s (which carry no schema). */
    private final DataType[] types;

    /**
     * @param withLabels whether rows carry the outputs' label columns (training, evaluation) or not (scoring)
     * @throws UserError naming the table and columns when the schema does not fit
     */
    public RowTranslator(Preprocessing preprocessing, StructType schema, boolean withLabels, String tableName) {
        this.preprocessing = preprocessing;
        this.spec = preprocessing.modelSpec();
        this.types = Arrays.stream(schema.fields()).map(StructField::dataType).toArray(DataType[]::new);
        List<String> missing = new ArrayList<>();
        List<String> mistyped = new ArrayList<>();
        TabularPreprocessor t = preprocessing.tabular();
        this.numericIndex = t == null ? new int[0] : indices(schema, t.numericColumns(), Kind.NUMERIC, missing, mistyped);
        this.numericNames = t == null ? new String[0] : t.numericColumns().toArray(new String[0]);
        this.categoricalIndex = t == null ? new int[0] : indices(schema, t.categoricalColumns(), Kind.CATEGORY, missing, mistyped);
        ImagePreprocessor img = preprocessing.image();
        this.imageIndex = img == null ? -1 : indices(schema, List.of(img.column()), Kind.BINARY, missing, mistyped)[0];
        // a class label may be text, a number or a boolean; a regression's must be a number
        this.labelIndex = withLabels
                ? spec.outputs().stream().mapToInt(o -> indices(schema, List.of(o.column()), o.regression() ? Kind.NUMERIC : Kind.CATEGORY, missing, mistyped)[0]).toArray()
                : new int[0];
        if (!missing.isEmpty()) {
            throw UserError.missingColumns(tableName, missing, List.of(schema.fieldNames()));
        }
        if (!mistyped.isEmpty()) {
            throw new UserError("table " + tableName + " has column(s) of the wrong type: " + String.join(", ", mistyped));
        }
    }

    private enum Kind { NUMERIC, CATEGORY, BINARY }

    private static int[] indices(StructType schema, List<String> names, Kind kind, List<String> missing, List<String> mistyped) {
        int[] idx = new int[names.size()];
        for (int i = 0; i < idx.length; i++) {
            String name = names.get(i);
            StructField f = Arrays.stream(schema.fields()).filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (f == null) {
                missing.add(name);
                continue;
            }
            DataType t = f.dataType();
            boolean ok = switch (kind) {
                case NUMERIC -> t instanceof NumericType || t instanceof BooleanType;
                case CATEGORY -> t instanceof StringType || t instanceof NumericType || t instanceof BooleanType;
                case BINARY -> t instanceof BinaryType;
            };
            if (!ok) {
                mistyped.add(name + " (" + t.simpleString() + ", expected " + kind.name().toLowerCase() + ")");
            }
            idx[i] = schema.fieldIndex(name);
        }
        return idx;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The type of input column {@code ordinal} in the schema this translator was built against. */
    public DataType type(int ordinal) {
        return types[ordinal];
    }

    /** The input columns this translator reads (features, then labels), without repeats: what a scan needs to load. */
    public List<String> columns(StructType schema) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (int[] idx : new int[][]{numericIndex, categoricalIndex, imageIndex >= 0 ? new int[]{imageIndex} : new int[0], labelIndex}) {
            for (int i : idx) {
                names.add(schema.fields()[i].name());
            }
        }
        return List.copyOf(names);
    }

    /** Reusable buffers for up to {@code capacity} rows: one float array per network input and per output. */
    public final class Batch {
        final int capacity;
        final float[][] inputs;
        final float[][] labels;
        private final double[] numeric = new double[numericIndex.length];
        /** One adapter of each kind per batch, pointed at the row being added: no allocation per row. */
        private final RowFields rowFields = new RowFields();
        private final InternalRowFields internalFields = new InternalRowFields();
        private int rows;

        Batch(int capacity) {
            this.capacity = capacity;
            List<ModelSpec.Input> in = spec.inputs();
            this.inputs = new float[in.size()][];
            for (int i = 0; i < inputs.length; i++) {
                long values = (long) capacity * width(in.get(i));
                if (values > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(String.format("a batch of %,d rows of %s (%,d values each) is more than one Java "
                            + "array holds: use a batch size of at most %,d", capacity, in.get(i).name(), width(in.get(i)),
                            (Integer.MAX_VALUE - 8) / width(in.get(i))));
                }
                inputs[i] = new float[(int) values];
            }
            this.labels = new float[labelIndex.length][];
            for (int o = 0; o < labels.length; o++) {
                labels[o] = new float[capacity * spec.outputs().get(o).units()];
            }
        }

        public int rows() {
            return rows;
        }

        public boolean full() {
            return rows == capacity;
        }

        public void clear() {
            rows = 0;
        }

        /**
         * Appends one row.
         *
         * @return null when appended, otherwise a one-line reason (the row is not appended)
         */
        public String add(Row row) {
            rowFields.row = row;
            try {
                return add(rowFields);
            } finally {
                rowFields.row = null;
            }
        }

        /**
         * Appends one Catalyst row (e.g. from {@code Dataset.queryExecution().toRdd()}), read by ordinal and type
         * without converting it to an external {@link Row}: numbers are read as primitives and string categories
         * are looked up by their UTF-8 bytes. Same encoding and same reasons as {@link #add(Row)}. The row is not
         * kept, so a reused row object is fine.
         *
         * @return null when appended, otherwise a one-line reason (the row is not appended)
         */
        public String add(InternalRow row) {
            internalFields.row = row;
            try {
                return add(internalFields);
            } finally {
                internalFields.row = null;
            }
        }

        /** The one encoding of a row, whichever its representation: numeric block, categories, image, labels. */
        private String add(Fields row) {
            int slot = rows;
            int input = 0;
            TabularPreprocessor t = preprocessing.tabular();
            if (numericIndex.length > 0) {
                for (int i = 0; i < numericIndex.length; i++) {
                    int j = numericIndex[i];
                    if (row.isNull(j)) {
                        return "missing value in column " + numericNames[i];
                    }
                    numeric[i] = row.number(j);
                }
                String reason = t.encodeNumeric(numeric, inputs[input], slot * numericIndex.length);
                if (reason != null) {
                    return reason;
                }
                input++;
            }
            for (int c = 0; c < categoricalIndex.length; c++) {
                int j = categoricalIndex[c];
                inputs[input++][slot] = row.isNull(j) ? t.categoryIndex(c, null) : row.category(c, j);
            }
            if (imageIndex >= 0) {
                ImagePreprocessor img = preprocessing.image();
                String reason = img.decode(row.isNull(imageIndex) ? null : row.binary(imageIndex), inputs[input], slot * img.size());
                if (reason != null) {
                    return reason;
                }
            }
            for (int o = 0; o < labelIndex.length; o++) {
                int j = labelIndex[o];
                String reason = spec.outputs().get(o).regression() ? target(o, row.isNull(j) ? null : row.number(j), slot)
                        : label(o, row.isNull(j) ? null : row.label(j), slot);
                if (reason != null) {
                    return reason;
                }
            }
            rows++;
            return null;
        }

        private String label(int o, Object v, int slot) {
            ModelSpec.Output out = spec.outputs().get(o);
            if (v == null) {
                return "missing label in column " + out.column();
            }
            String value = labelText(v);
            int k = out.classes().indexOf(value);
            if (k < 0) {
                return "unknown label '" + value + "' in column " + out.column() + "; expected one of " + out.classes();
            }
            if (out.binary()) {
                labels[o][slot] = k;
            } else {
                Arrays.fill(labels[o], slot * out.units(), (slot + 1) * out.units(), 0f);
                labels[o][slot * out.units() + k] = 1f;
            }
            return null;
        }

        /** A regression label, standardised; a missing or non-finite one is the row's reason. */
        private String target(int o, Double v, int slot) {
            ModelSpec.Output out = spec.outputs().get(o);
            if (v == null) {
                return "missing label in column " + out.column();
            }
            if (!Double.isFinite(v)) {
                return "label " + v + " in column " + out.column() + " is not a finite number";
            }
            labels[o][slot] = out.target().standardised(v);
            return null;
        }

        /** The batch's inputs as ND4J arrays of {@code rows()} rows, in the network's input order. */
        public INDArray[] features() {
            INDArray[] f = new INDArray[inputs.length];
            List<ModelSpec.Input> in = spec.inputs();
            for (int i = 0; i < f.length; i++) {
                ModelSpec.Input s = in.get(i);
                int w = width(s);
                float[] data = rows == capacity ? inputs[i] : Arrays.copyOf(inputs[i], rows * w);
                long[] shape = s instanceof ModelSpec.Image im ? new long[]{rows, im.channels(), im.height(), im.width()} : new long[]{rows, w};
                f[i] = Nd4j.create(data, shape, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            }
            return f;
        }

        public INDArray[] labels() {
            INDArray[] l = new INDArray[labels.length];
            for (int o = 0; o < l.length; o++) {
                int u = spec.outputs().get(o).units();
                float[] data = rows == capacity ? labels[o] : Arrays.copyOf(labels[o], rows * u);
                l[o] = Nd4j.create(data, new long[]{rows, u}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            }
            return l;
        }
    }

    /**
     * Field access by ordinal, the only thing that differs between external and Catalyst rows, so that
     * {@link Batch} has one encoding for both. The accessors other than {@link #isNull} are called only on
     * non-null fields, with the ordinal of a column the constructor checked for that use.
     */
    private interface Fields {
        boolean isNull(int j);

        /** A numeric or boolean column as a double (booleans as 1/0). */
        double number(int j);

        /** The vocabulary index of categorical feature {@code c}, read from column {@code j}. */
        int category(int c, int j);

        /** The encoded image in a binary column. */
        byte[] binary(int j);

        /** A label column's value as the external {@link Row} holds it (see {@link RowTranslator#labelText}). */
        Object label(int j);
    }

    /** An external {@link Row}, read by its values' runtime classes. */
    private final class RowFields implements Fields {
        Row row;

        @Override
        public boolean isNull(int j) {
            return row.isNullAt(j);
        }

        @Override
        public double number(int j) {
            return toDouble(row.get(j));
        }

        @Override
        public int category(int c, int j) {
            return preprocessing.tabular().categoryIndex(c, String.valueOf(row.get(j)));
        }

        @Override
        public byte[] binary(int j) {
            return (byte[]) row.get(j);
        }

        @Override
        public Object label(int j) {
            return row.get(j);
        }
    }

    /** A Catalyst {@link InternalRow}, read by the schema's types: primitives, and UTF-8 bytes for string categories. */
    private final class InternalRowFields implements Fields {
        InternalRow row;

        @Override
        public boolean isNull(int j) {
            return row.isNullAt(j);
        }

        @Override
        public double number(int j) {
            return RowTranslator.number(row, j, types[j]);
        }

        @Override
        public int category(int c, int j) {
            return types[j] instanceof StringType ? categoryIndex(c, row.getUTF8String(j))
                    : preprocessing.tabular().categoryIndex(c, String.valueOf(external(row, j, types[j])));
        }

        @Override
        public byte[] binary(int j) {
            return row.getBinary(j);
        }

        @Override
        public Object label(int j) {
            return external(row, j, types[j]);
        }
    }

    public Batch newBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + capacity);
        }
        return new Batch(capacity);
    }

    static int width(ModelSpec.Input in) {
        if (in instanceof ModelSpec.Dense d) {
            return d.width();
        }
        if (in instanceof ModelSpec.Image i) {
            return i.channels() * i.height() * i.width();
        }
        return 1;
    }

    /** Vocabulary index by UTF-8 bytes per categorical feature, built on first use in each executor. */
    private transient volatile Map<UTF8String, Integer>[] utf8Index;

    @SuppressWarnings("unchecked")
    private int categoryIndex(int c, UTF8String value) {
        Map<UTF8String, Integer>[] idx = utf8Index;
        if (idx == null) {
            List<TabularPreprocessor.CategoricalFeature> cats = preprocessing.tabular().categorical();
            idx = new Map[cats.size()];
            for (int k = 0; k < idx.length; k++) {
                Map<UTF8String, Integer> m = new HashMap<>();
                List<String> vocab = cats.get(k).vocabulary();
                for (int i = 0; i < vocab.size(); i++) {
                    m.put(UTF8String.fromString(vocab.get(i)), i);
                }
                idx[k] = m;
            }
            utf8Index = idx;
        }
        Integer i = idx[c].get(value);
        return i == null ? preprocessing.tabular().categorical().get(c).vocabulary().size() : i;
    }

    private static double number(InternalRow row, int j, DataType t) {
        if (t instanceof DoubleType) {
            return row.getDouble(j);
        }
        if (t instanceof IntegerType) {
            return row.getInt(j);
        }
        if (t instanceof LongType) {
            return row.getLong(j);
        }
        if (t instanceof FloatType) {
            return row.getFloat(j);
        }
        return toDouble(external(row, j, t));
    }

    /** A Catalyst value as the external {@link Row} would hold it (numbers, booleans, strings), so both paths agree. */
    private static Object external(InternalRow row, int j, DataType t) {
        if (t instanceof StringType) {
            return row.getUTF8String(j).toString();
        }
        if (t instanceof DecimalType d) {
            return row.getDecimal(j, d.precision(), d.scale()).toJavaBigDecimal();
        }
        return row.get(j, t); // boxed primitives for the remaining numeric and boolean types
    }

    private static double toDouble(Object v) {
        return v instanceof Boolean b ? (b ? 1.0 : 0.0) : ((Number) v).doubleValue();
    }

    /** Label values as class text: integral numbers without a decimal point, booleans as 0/1. */
    public static String labelText(Object v) {
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
        return String.valueOf(v);
    }
}
