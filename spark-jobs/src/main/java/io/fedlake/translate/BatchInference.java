package io.fedlake.translate;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Batched inference over a partition: rows are encoded into one float buffer of {@code batchSize} rows, scored
 * in a single forward pass, and emitted as {@code passthrough columns…, probability, quarantine_reason}. A row
 * that cannot be encoded is emitted with a null probability and its reason, never dropped, so callers can split
 * scored from quarantined and reconcile counts. Memory per task is bounded by the batch, not the partition.
 */
public final class BatchInference implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TabularTranslator translator;
    private final Broadcast<byte[]> model;
    private final String sha256;
    private final int batchSize;
    private final int[] passthrough;

    /**
     * @param passthrough indexes of input columns copied to the output, in order
     */
    public BatchInference(TabularTranslator translator, Broadcast<byte[]> model, String sha256, int batchSize, int[] passthrough) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        this.translator = translator;
        this.model = model;
        this.sha256 = sha256;
        this.batchSize = batchSize;
        this.passthrough = passthrough.clone();
    }

    public Iterator<Row> apply(Iterator<Row> rows) {
        return new Iterator<>() {
            private final int width = translator.width();
            private final float[] features = new float[batchSize * width];
            private final double[] numeric = translator.newNumericScratch();
            private final String[] categorical = translator.newCategoricalScratch();
            private final List<Row> inputs = new ArrayList<>(batchSize);
            private final List<String> reasons = new ArrayList<>(batchSize);
            private final List<Integer> slots = new ArrayList<>(batchSize);
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
                    throw new java.util.NoSuchElementException();
                }
                return out.get(cursor++);
            }

            private List<Row> nextBatch() {
                inputs.clear();
                reasons.clear();
                slots.clear();
                int n = 0;
                while (n < batchSize && rows.hasNext()) {
                    Row row = rows.next();
                    String reason = translator.encode(row, features, n * width, numeric, categorical);
                    inputs.add(row);
                    reasons.add(reason);
                    slots.add(reason == null ? n++ : -1);
                }
                float[] probabilities = n == 0 ? new float[0] : forward(n);
                List<Row> result = new ArrayList<>(inputs.size());
                for (int i = 0; i < inputs.size(); i++) {
                    Row in = inputs.get(i);
                    Object[] values = new Object[passthrough.length + 2];
                    for (int c = 0; c < passthrough.length; c++) {
                        values[c] = in.get(passthrough[c]);
                    }
                    int slot = slots.get(i);
                    values[passthrough.length] = slot >= 0 ? (double) probabilities[slot] : null;
                    values[passthrough.length + 1] = reasons.get(i);
                    result.add(RowFactory.create(values));
                }
                return result;
            }

            private float[] forward(int n) {
                float[] f = n == batchSize ? features : java.util.Arrays.copyOf(features, n * width);
                MultiLayerNetwork net = NetworkPool.borrow(sha256, model::value);
                try {
                    INDArray x = Nd4j.create(f, new long[]{n, width}, DataType.FLOAT);
                    INDArray y = net.output(x, false);
                    float[] p = y.reshape(n).toFloatVector();
                    x.close();
                    y.close();
                    return p;
                } finally {
                    NetworkPool.giveBack(sha256, net);
                }
            }
        };
    }
}
