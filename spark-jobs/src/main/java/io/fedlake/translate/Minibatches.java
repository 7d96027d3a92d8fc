package io.fedlake.translate;

import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Turns a partition's rows into training minibatches ({@link MultiDataSet}: one array per network input and per
 * output), filled through the shared {@link RowTranslator}. Rows that cannot be encoded are counted in
 * {@code rejected} so the trainer can report them; they are never silently lost.
 */
public final class Minibatches implements Iterator<MultiDataSet> {

    private final Iterator<Row> rows;
    private final RowTranslator.Batch batch;
    private final LongAccumulator rejected;
    private MultiDataSet next;

    public Minibatches(Iterator<Row> rows, RowTranslator translator, int batchSize, LongAccumulator rejected) {
        this.rows = rows;
        this.batch = translator.newBatch(batchSize);
        this.rejected = rejected;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = fill();
        }
        return next != null;
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        MultiDataSet d = next;
        next = null;
        return d;
    }

    private MultiDataSet fill() {
        batch.clear();
        while (!batch.full() && rows.hasNext()) {
            if (batch.add(rows.next()) != null && rejected != null) {
                rejected.add(1);
            }
        }
        return batch.rows() == 0 ? null : new org.nd4j.linalg.dataset.MultiDataSet(batch.features(), batch.labels());
    }
}
