package io.fedlake.translate;

import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Turns a partition's rows into training minibatches: features are written straight into one reusable float
 * buffer per batch (no per-row INDArray) and copied into ND4J once per batch. Rows that cannot be encoded are
 * counted in {@code rejected} so the trainer can report them; they are never silently lost.
 */
public final class Minibatches implements Iterator<DataSet> {

    private final Iterator<Row> rows;
    private final TabularTranslator translator;
    private final int batchSize;
    private final LongAccumulator rejected;
    private final float[] features;
    private final float[] labels;
    private final double[] numeric;
    private final String[] categorical;
    private DataSet next;

    public Minibatches(Iterator<Row> rows, TabularTranslator translator, int batchSize, LongAccumulator rejected) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be ≥ 1, got " + batchSize);
        }
        this.rows = rows;
        this.translator = translator;
        this.batchSize = batchSize;
        this.rejected = rejected;
        this.features = new float[batchSize * translator.width()];
        this.labels = new float[batchSize];
        this.numeric = translator.newNumericScratch();
        this.categorical = translator.newCategoricalScratch();
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = fill();
        }
        return next != null;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DataSet d = next;
        next = null;
        return d;
    }

    private DataSet fill() {
        int width = translator.width();
        int n = 0;
        while (n < batchSize && rows.hasNext()) {
            Row row = rows.next();
            if (translator.encode(row, features, n * width, numeric, categorical) != null) {
                if (rejected != null) {
                    rejected.add(1);
                }
                continue;
            }
            labels[n] = translator.label(row);
            n++;
        }
        if (n == 0) {
            return null;
        }
        float[] f = n == batchSize ? features : java.util.Arrays.copyOf(features, n * width);
        float[] l = n == batchSize ? labels : java.util.Arrays.copyOf(labels, n);
        return new DataSet(Nd4j.create(f, new long[]{n, width}, DataType.FLOAT), Nd4j.create(l, new long[]{n, 1}, DataType.FLOAT));
    }
}
