package io.fedlake.translate;

import io.fedlake.gpu.DeviceBinding;
import io.fedlake.gpu.DeviceMemory;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

import static io.fedlake.core.TableNames.QUARANTINE_REASON;

/**
 * Batched inference over a partition: rows are encoded by the shared {@link RowTranslator} into one batch of
 * {@code batchSize} rows, scored in a single forward pass, and emitted as {@code passthrough columns…, one column
 * per model output, [reason_codes], record_json, quarantine_reason}. A binary output is a double (probability of the positive class), a regression its prediction, a
 * multi-class output an array of class probabilities. A row that cannot be encoded is emitted with null outputs
 * and its reason — never dropped — so callers can split scored from quarantined and reconcile counts. Memory per
 * task is bounded by the batch, not the partition; the network is borrowed from the executor's pool.
 */
public final class BatchInference implements Serializable {

    private static final long serialVersionUID = 1L;

    private final RowTranslator translator;
    private final Broadcast<byte[]> model;
    private final String sha256;
    private final int batchSize;
    private final int[] passthrough;
    private final int reasonCodes;
    /** Reason codes only for rows whose first output is at least this (0: every row). */
    private final double reasonCodesFrom;
    private final List<String> featureLabels;
    public static final String REASON_CODES = "reason_codes";
    /** The whole input row as JSON, filled only for rows that could not be scored (for the quarantine table). */
    public static final String RECORD_JSON = "record_json";

    /** @param passthrough indexes of input columns copied to the output, in order */
    public BatchInference(RowTranslator translator, Broadcast<byte[]> model, String sha256, int batchSize, int[] passthrough) {
        this(translator, model, sha256, batchSize, passthrough, 0, 0, List.of());
    }

    /**
     * @param reasonCodes   how many reason codes to emit per row (0 for none): the tabular features whose
     *                      occlusion — replacing the value by the training baseline (the mean of a numeric feature,
     *                      the most frequent category) — lowers the first output's probability most, strongest
     *                      first; only features that raised the probability are listed
     * @param reasonCodesFrom reason codes only for the rows whose first output is at least this, e.g. the decision
     *                      threshold of an adverse decision (others get none: null); 0 for every row
     * @param featureLabels readable names of the tabular features, numeric then categorical, in the preprocessor's order
     */
    public BatchInference(RowTranslator translator, Broadcast<byte[]> model, String sha256, int batchSize, int[] passthrough,
                          int reasonCodes, double reasonCodesFrom, List<String> featureLabels) {
        if (reasonCodes < 0) {
            throw new IllegalArgumentException("reason codes must be ≥ 0, got " + reasonCodes);
        }
        if (reasonCodes > 0 && (translator.preprocessing().tabular() == null || !translator.spec().outputs().get(0).binary())) {
            throw new IllegalArgumentException("reason codes need tabular features and a binary first output");
        }
        if (!(reasonCodesFrom >= 0 && reasonCodesFrom < 1)) {
            throw new IllegalArgumentException("reason codes from a probability in [0, 1), got " + reasonCodesFrom);
        }
        this.reasonCodes = reasonCodes;
        this.reasonCodesFrom = reasonCodesFrom;
        this.featureLabels = List.copyOf(featureLabels);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        this.translator = translator;
        this.model = model;
        this.sha256 = sha256;
        this.batchSize = batchSize;
        this.passthrough = passthrough.clone();
    }

    /** Output schema: the passthrough fields of {@code input}, one field per model output, then the reason. */
    public StructType outputSchema(StructType input) {
        List<StructField> fields = new ArrayList<>();
        for (int i : passthrough) {
            fields.add(input.fields()[i]);
        }
        for (ModelSpec.Output o : translator.spec().outputs()) {
            fields.add(new StructField(o.name(), o.units() == 1 ? DataTypes.DoubleType : DataTypes.createArrayType(DataTypes.DoubleType, false),
                    true, Metadata.empty()));
        }
        if (reasonCodes > 0) {
            fields.add(new StructField(REASON_CODES, DataTypes.createArrayType(DataTypes.StringType, false), true, Metadata.empty()));
        }
        fields.add(new StructField(RECORD_JSON, DataTypes.StringType, true, Metadata.empty()));
        fields.add(new StructField(QUARANTINE_REASON, DataTypes.StringType, true, Metadata.empty()));
        return new StructType(fields.toArray(new StructField[0]));
    }

    public Iterator<Row> apply(Iterator<Row> rows) {
        int rowsPerBatch = taskBatch();
        return new Iterator<>() {
            private final RowTranslator.Batch batch = allocate(rowsPerBatch);
            private final List<ModelSpec.Output> outputs = translator.spec().outputs();
            private final List<Row> inputs = new ArrayList<>(rowsPerBatch);
            private final List<String> reasons = new ArrayList<>(rowsPerBatch);
            private List<Row> out = List.of();
            private int cursor;

            @Override
            public boolean hasNext() {
                while (cursor >= out.size()) {
                    if (!rows.hasNext()) {
                        return false;
                    }
                    out = nextBatch();
                    cursor = 0;
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return out.get(cursor++);
            }

            private List<Row> nextBatch() {
                inputs.clear();
                reasons.clear();
                batch.clear();
                while (!batch.full() && rows.hasNext()) {
                    Row row = rows.next();
                    inputs.add(row);
                    reasons.add(batch.add(row));
                }
                String[][] codes = new String[batch.rows()][];
                float[][] predictions = batch.rows() == 0 ? new float[0][] : forward(batch, codes);
                List<Row> result = new ArrayList<>(inputs.size());
                int slot = 0;
                for (int i = 0; i < inputs.size(); i++) {
                    Row in = inputs.get(i);
                    Object[] values = new Object[passthrough.length + outputs.size() + (reasonCodes > 0 ? 3 : 2)];
                    for (int c = 0; c < passthrough.length; c++) {
                        values[c] = in.get(passthrough[c]);
                    }
                    if (reasons.get(i) == null) {
                        for (int o = 0; o < outputs.size(); o++) {
                            int u = outputs.get(o).units();
                            if (u == 1) {
                                values[passthrough.length + o] = value(outputs.get(o), predictions[o][slot]);
                            } else {
                                Double[] p = new Double[u];
                                for (int k = 0; k < u; k++) {
                                    p[k] = (double) predictions[o][slot * u + k];
                                }
                                values[passthrough.length + o] = scala.collection.JavaConverters.asScalaBuffer(Arrays.asList(p)).toList();
                            }
                        }
                        if (reasonCodes > 0 && codes[slot] != null) {
                            values[passthrough.length + outputs.size()] = scala.collection.JavaConverters.asScalaBuffer(Arrays.asList(codes[slot])).toList();
                        }
                        slot++;
                    }
                    if (reasons.get(i) != null) {
                        values[values.length - 2] = in.schema() != null ? in.json() : in.toString();
                    }
                    values[values.length - 1] = reasons.get(i);
                    result.add(RowFactory.create(values));
                }
                return result;
            }

        };
    }

    /** Schema of {@link #score}: the passthrough fields of {@code input}, one field per model output, [reason codes]. */
    public StructType scoreSchema(StructType input) {
        StructType all = outputSchema(input);
        return new StructType(Arrays.copyOf(all.fields(), all.fields().length - 2));
    }

    /**
     * The scoring path over Catalyst rows ({@code Dataset.queryExecution().toRdd()} of a projection that holds the
     * translator's columns and the passthrough keys): rows are encoded by ordinal straight into the batch buffers,
     * and each scored row comes out as an {@link InternalRow} of {@link #scoreSchema} — no external {@link Row} on
     * either side. Rows that cannot be encoded are not emitted; they are counted in {@code rejected} (and every
     * row read in {@code read}) so the caller can reconcile and fetch them with {@link #rejects} only when there
     * are any. Memory is bounded by one batch: only the passthrough values of the rows in flight are copied.
     */
    public Iterator<InternalRow> score(Iterator<InternalRow> rows, LongAccumulator read, LongAccumulator rejected) {
        TaskContext task = TaskContext.get();
        if (task != null) {
            NativeThreads.perTask(task.cpus());
        }
        DataType[] keyTypes = new DataType[passthrough.length];
        for (int c = 0; c < keyTypes.length; c++) {
            keyTypes[c] = translator.type(passthrough[c]);
        }
        List<ModelSpec.Output> outputs = translator.spec().outputs();
        int width = passthrough.length + outputs.size() + (reasonCodes > 0 ? 1 : 0);
        int rowsPerBatch = taskBatch();
        return new Iterator<>() {
            private final RowTranslator.Batch batch = allocate(rowsPerBatch);
            private final Object[][] keys = new Object[rowsPerBatch][passthrough.length];
            private float[][] predictions;
            private String[][] codes;
            private int size;
            private int cursor;
            private long seen;
            private long bad;

            @Override
            public boolean hasNext() {
                while (cursor >= size) {
                    if (!rows.hasNext()) {
                        flushCounts();
                        return false;
                    }
                    fill();
                }
                return true;
            }

            @Override
            public InternalRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = cursor++;
                Object[] values = new Object[width];
                System.arraycopy(keys[i], 0, values, 0, passthrough.length);
                for (int o = 0; o < outputs.size(); o++) {
                    int u = outputs.get(o).units();
                    if (u == 1) {
                        values[passthrough.length + o] = value(outputs.get(o), predictions[o][i]);
                    } else {
                        double[] p = new double[u];
                        for (int k = 0; k < u; k++) {
                            p[k] = predictions[o][i * u + k];
                        }
                        values[passthrough.length + o] = UnsafeArrayData.fromPrimitiveArray(p);
                    }
                }
                if (reasonCodes > 0 && codes[i] != null) {
                    String[] names = codes[i];
                    UTF8String[] u = new UTF8String[names.length];
                    for (int k = 0; k < u.length; k++) {
                        u[k] = UTF8String.fromString(names[k]);
                    }
                    values[width - 1] = new GenericArrayData(u);
                }
                return new GenericInternalRow(values);
            }

            private void fill() {
                batch.clear();
                while (!batch.full() && rows.hasNext()) {
                    InternalRow row = rows.next();
                    seen++;
                    int slot = batch.rows();
                    if (batch.add(row) != null) {
                        bad++;
                        continue;
                    }
                    for (int c = 0; c < passthrough.length; c++) {
                        // The reader reuses its row (and string buffers): keep a copy of the keys of rows in flight.
                        keys[slot][c] = row.isNullAt(passthrough[c]) ? null : InternalRow.copyValue(row.get(passthrough[c], keyTypes[c]));
                    }
                }
                size = batch.rows();
                cursor = 0;
                codes = new String[size][];
                predictions = size == 0 ? null : forward(batch, codes);
            }

            private void flushCounts() {
                read.add(seen);
                rejected.add(bad);
                seen = 0;
                bad = 0;
            }
        };
    }

    /** Schema of {@link #rejects}: the passthrough fields of {@code input}, the record as JSON, the reason. */
    public StructType rejectSchema(StructType input) {
        List<StructField> fields = new ArrayList<>();
        for (int i : passthrough) {
            fields.add(input.fields()[i]);
        }
        fields.add(new StructField(RECORD_JSON, DataTypes.StringType, true, Metadata.empty()));
        fields.add(new StructField(QUARANTINE_REASON, DataTypes.StringType, false, Metadata.empty()));
        return new StructType(fields.toArray(new StructField[0]));
    }

    /**
     * The rows {@link #score} rejects, with the whole input record as JSON and the reason, checked with the same
     * translator but without any forward pass. Run over the full input (all columns) so the record is complete.
     */
    public Iterator<Row> rejects(Iterator<Row> rows) {
        RowTranslator.Batch one = translator.newBatch(1);
        return new Iterator<>() {
            private Row next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    Row in = rows.next();
                    one.clear();
                    String reason = one.add(in);
                    if (reason != null) {
                        Object[] values = new Object[passthrough.length + 2];
                        for (int c = 0; c < passthrough.length; c++) {
                            values[c] = in.get(passthrough[c]);
                        }
                        values[values.length - 2] = in.schema() != null ? in.json() : in.toString();
                        values[values.length - 1] = reason;
                        next = RowFactory.create(values);
                    }
                }
                return next != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }
        };
    }

    /**
     * The rows per forward pass for the calling task: the requested batch, or fewer where the task's GPU cannot hold
     * it ({@link DeviceMemory}: the batch does not change a score). On CPU it is the requested batch and no
     * network is looked at.
     */
    private int taskBatch() {
        return DeviceMemory.inferenceBatch(DeviceBinding.forCurrentTask(), () -> {
            ComputationGraph net = NetworkPool.borrow(sha256, model::value);
            try {
                return DeviceMemory.need(sha256, net.getConfiguration(), translator.newBatch(1).features(), MemoryUseMode.INFERENCE);
            } finally {
                NetworkPool.giveBack(sha256, net);
            }
        }, batchSize);
    }

    /** A one-unit output's value: the probability of a binary output, a regression's prediction on its label's scale. */
    private static double value(ModelSpec.Output o, float unit) {
        return o.regression() ? o.prediction(unit) : unit;
    }

    /**
     * A batch too large for the task's memory fails the task with the advice a user acts on, instead of an
     * OutOfMemoryError that Spark treats as fatal: it would kill the executor, lose its other tasks and retry the
     * same batch on the next executor until the job gives up with only "executor lost" to show. The error travels to
     * the driver as the failed task's cause, where the CLI prints its message. It must not carry the OutOfMemoryError
     * as its cause: Spark kills an executor whose task failed with a fatal error anywhere in its cause chain
     * ({@code spark.executor.killOnFatalError.depth}).
     */
    static io.fedlake.core.UserError tooLarge(int rows, OutOfMemoryError e) {
        return new io.fedlake.core.UserError(String.format("a batch of %,d rows does not fit in this task's memory (%s): score with a smaller "
                + "--batch-size, e.g. %,d, or give the executors more memory (spark.executor.memory, and off the heap ND4J's "
                + "-Dorg.bytedeco.javacpp.maxbytes)", rows, e.getMessage(), Math.max(1, rows / 4)));
    }

    private RowTranslator.Batch allocate(int rows) {
        try {
            return translator.newBatch(rows);
        } catch (OutOfMemoryError e) {
            throw tooLarge(rows, e);
        }
    }

    private float[][] forward(RowTranslator.Batch batch, String[][] codes) {
        try {
            return forwardPass(batch, codes);
        } catch (OutOfMemoryError e) {
            throw tooLarge(batch.rows(), e);
        }
    }

    private float[][] forwardPass(RowTranslator.Batch batch, String[][] codes) {
        ComputationGraph net = NetworkPool.borrow(sha256, model::value);
        try {
            INDArray[] x = batch.features();
            INDArray[] y = net.output(false, x);
            float[][] p = new float[y.length][];
            for (int o = 0; o < y.length; o++) {
                p[o] = y[o].dup().reshape(y[o].length()).toFloatVector();
            }
            if (reasonCodes > 0) {
                reasons(net, x, p[0], codes);
            }
            return p;
        } finally {
            NetworkPool.giveBack(sha256, net);
        }
    }

    /** Occlusion attributions of the first output, one forward pass per tabular feature. */
    private void reasons(ComputationGraph net, INDArray[] all, float[] p, String[][] codes) {
        // Only the rows that need codes go through the occlusion passes: at a 10 % decline rate, a tenth of the work.
        int[] rows = IntStream.range(0, p.length).filter(i -> p[i] >= reasonCodesFrom).toArray();
        if (rows.length == 0) {
            return;
        }
        INDArray[] x = all;
        float[] base = p;
        if (rows.length < p.length) {
            x = new INDArray[all.length];
            SpecifiedIndex picked = new SpecifiedIndex(rows);
            for (int k = 0; k < all.length; k++) {
                if (all[k].rank() == 2) {
                    // a native gather: INDArray.get with a SpecifiedIndex copies element by element, slower than
                    // the occlusion passes it saves (measured: 77k rows/s for the declines only vs 156k for every row)
                    x[k] = Nd4j.pullRows(all[k], 1, rows);
                    continue;
                }
                INDArrayIndex[] index = new INDArrayIndex[all[k].rank()];
                index[0] = picked;
                for (int d = 1; d < index.length; d++) {
                    index[d] = NDArrayIndex.all();
                }
                x[k] = all[k].get(index);
            }
            base = new float[rows.length];
            for (int j = 0; j < rows.length; j++) {
                base[j] = p[rows[j]];
            }
        }
        int n = base.length;
        int numeric = translator.preprocessing().tabular().numericWidth();
        int groups = numeric + translator.preprocessing().tabular().categorical().size();
        float[][] drop = new float[groups][];
        for (int g = 0; g < groups; g++) {
            INDArray[] occluded = x.clone();
            if (g < numeric) {
                occluded[0] = x[0].dup();
                occluded[0].getColumn(g).assign(0); // standardised training mean
            } else {
                int input = (numeric > 0 ? 1 : 0) + (g - numeric);
                occluded[input] = x[input].dup().assign(0); // index 0: the most frequent training category
            }
            float[] q = net.output(false, occluded)[0].dup().reshape(n).toFloatVector();
            drop[g] = new float[n];
            for (int i = 0; i < n; i++) {
                drop[g][i] = base[i] - q[i];
            }
        }
        int[] top = new int[reasonCodes];
        for (int i = 0; i < n; i++) {
            // Top-k by insertion into a k-slot array: no boxing or sorting per row on this hot path.
            int k = 0;
            for (int g = 0; g < groups; g++) {
                float d = drop[g][i];
                if (d <= 1e-6f || (k == reasonCodes && d <= drop[top[k - 1]][i])) {
                    continue;
                }
                int j = k == reasonCodes ? k - 1 : k++;
                while (j > 0 && drop[top[j - 1]][i] < d) {
                    top[j] = top[j - 1];
                    j--;
                }
                top[j] = g;
            }
            String[] names = new String[k];
            for (int j = 0; j < k; j++) {
                names[j] = featureLabels.get(top[j]);
            }
            codes[rows[i]] = names;
        }
    }
}

