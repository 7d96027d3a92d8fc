package io.fedlake.translate;

import io.fedlake.zoo.ModelSpec;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One worker's (or one federated client's) training rows, encoded once by the shared {@link RowTranslator} into
 * contiguous float arrays — one per network input and per output, row-major — so a training round builds each
 * minibatch by copying a slice into an ND4J buffer: no per-row objects, and a shard serialises as a handful of
 * large arrays (cheap to persist serialised and to read back each round).
 */
public final class EncodedShard implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String client;
    private final int index;
    private final int rows;
    private final float[][] inputs;
    private final float[][] labels;
    private final long[][] inputShapes;   // per-row shape of each input (without the batch dimension)
    private final int[] inputWidths;
    private final int[] labelWidths;

    private EncodedShard(String client, int index, int rows, float[][] inputs, float[][] labels, long[][] inputShapes, int[] inputWidths,
                         int[] labelWidths) {
        this.client = client;
        this.index = index;
        this.rows = rows;
        this.inputs = inputs;
        this.labels = labels;
        this.inputShapes = inputShapes;
        this.inputWidths = inputWidths;
        this.labelWidths = labelWidths;
    }

    /**
     * Encodes every row of {@code it}; rows that cannot be encoded are counted in {@code rejected} (never silently
     * dropped) and left out of the shard.
     */
    public static EncodedShard encode(String client, int index, Iterator<Row> it, RowTranslator translator, LongAccumulator rejected) {
        return encode(client, index, it, translator, rejected, RowTranslator.Batch::add);
    }

    /**
     * As {@link #encode(String, int, Iterator, RowTranslator, LongAccumulator)} for Catalyst rows (e.g. from
     * {@code Dataset.queryExecution().toRdd()}) laid out as the translator's schema: no conversion to external rows.
     */
    public static EncodedShard encodeInternal(String client, int index, Iterator<? extends InternalRow> it, RowTranslator translator,
                                              LongAccumulator rejected) {
        return encode(client, index, it, translator, rejected, RowTranslator.Batch::add);
    }

    private static <T> EncodedShard encode(String client, int index, Iterator<? extends T> it, RowTranslator translator, LongAccumulator rejected,
                                           java.util.function.BiFunction<RowTranslator.Batch, T, String> add) {
        final int chunk = 4096;
        RowTranslator.Batch batch = translator.newBatch(chunk);
        List<ModelSpec.Input> in = translator.spec().inputs();
        List<ModelSpec.Output> out = translator.spec().outputs();
        int[] iw = new int[in.size()];
        long[][] shapes = new long[in.size()][];
        for (int i = 0; i < iw.length; i++) {
            iw[i] = RowTranslator.width(in.get(i));
            shapes[i] = in.get(i) instanceof ModelSpec.Image im ? new long[]{im.channels(), im.height(), im.width()} : new long[]{iw[i]};
        }
        int[] lw = out.stream().mapToInt(ModelSpec.Output::units).toArray();
        FloatGrowth[] xi = new FloatGrowth[iw.length];
        FloatGrowth[] yi = new FloatGrowth[lw.length];
        Arrays.setAll(xi, k -> new FloatGrowth());
        Arrays.setAll(yi, k -> new FloatGrowth());
        int total = 0;
        while (it.hasNext()) {
            batch.clear();
            while (!batch.full() && it.hasNext()) {
                if (add.apply(batch, it.next()) != null && rejected != null) {
                    rejected.add(1);
                }
            }
            int n = batch.rows();
            for (int i = 0; i < iw.length; i++) {
                xi[i].append(batch.inputs[i], n * iw[i]);
            }
            for (int o = 0; o < lw.length; o++) {
                yi[o].append(batch.labels[o], n * lw[o]);
            }
            total += n;
        }
        float[][] x = new float[iw.length][];
        float[][] y = new float[lw.length][];
        Arrays.setAll(x, k -> xi[k].toArray());
        Arrays.setAll(y, k -> yi[k].toArray());
        return new EncodedShard(client, index, total, x, y, shapes, iw, lw);
    }

    public String client() {
        return client;
    }

    /** The shard's position: worker or client index, also its partition. */
    public int index() {
        return index;
    }

    public int rows() {
        return rows;
    }

    /**
     * The row order for one pass over the shard: identity when {@code rngSeed} is null, otherwise a Fisher–Yates
     * permutation from that seed (derive it from seed, round and client so reruns see the same order).
     */
    public int[] order(Long rngSeed) {
        int[] order = new int[rows];
        Arrays.setAll(order, i -> i);
        if (rngSeed != null) {
            SplittableRandom r = new SplittableRandom(rngSeed);
            for (int i = rows - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The minibatch of rows {@code order[from, to)}, with labels. */
    public MultiDataSet minibatch(int[] order, int from, int to) {
        return new org.nd4j.linalg.dataset.MultiDataSet(gather(inputs, inputWidths, inputShapes, order, from, to),
                gather(labels, labelWidths, null, order, from, to));
    }

    /** Inputs only, rows {@code [from, to)} in stored order (evaluation). */
    public INDArray[] features(int from, int to) {
        return gather(inputs, inputWidths, inputShapes, null, from, to);
    }

    /** Label value of output {@code o}, row {@code r}: the class index for a one-hot output, the 0/1 value for a binary one. */
    public float[] labels(int o) {
        return labels[o];
    }

    public int labelWidth(int o) {
        return labelWidths[o];
    }

    private static INDArray[] gather(float[][] data, int[] widths, long[][] shapes, int[] order, int from, int to) {
        int n = to - from;
        INDArray[] out = new INDArray[data.length];
        for (int k = 0; k < data.length; k++) {
            int w = widths[k];
            float[] buf = new float[n * w];
            if (order == null) {
                System.arraycopy(data[k], from * w, buf, 0, n * w);
            } else {
                for (int r = 0; r < n; r++) {
                    System.arraycopy(data[k], order[from + r] * w, buf, r * w, w);
                }
            }
            long[] shape;
            if (shapes == null || shapes[k].length == 1) {
                shape = new long[]{n, w};
            } else {
                shape = new long[]{n, shapes[k][0], shapes[k][1], shapes[k][2]};
            }
            out[k] = Nd4j.create(buf, shape, DataType.FLOAT);
        }
        return out;
    }

    /** An append-only float buffer that doubles its capacity. */
    private static final class FloatGrowth {
        private float[] data = new float[1024];
        private int size;

        void append(float[] src, int n) {
            if (size + n > data.length) {
                data = Arrays.copyOf(data, Math.max(size + n, data.length * 2));
            }
            System.arraycopy(src, 0, data, size, n);
            size += n;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
