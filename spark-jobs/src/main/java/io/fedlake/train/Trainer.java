package io.fedlake.train;

import io.fedlake.translate.RowTranslator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.function.Consumer;

/**
 * A training regime: fits an initialised network on the training split of a table. One contract for every
 * regime (dl4j-spark parameter averaging now; Fedlake's own engine and federated averaging plug in here), so
 * the CLI, the pipeline and the evaluation are shared.
 */
public interface Trainer {

    /** Name used with {@code --regime}. */
    String regime();

    /**
     * @param network    initialised network; implementations may train it in place or return another instance
     * @param rows       training rows, already restricted to the columns the translator reads
     * @param translator row → network input boundary (same one scoring uses)
     * @param rejected   counts rows that could not be encoded; implementations add to it, never drop silently
     * @param runDir     Hadoop URI of this run's private directory for temporary files; the trainer cleans up
     * @param progress   receives one human-readable line per epoch/round
     * @return the trained network
     */
    ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config,
                            LongAccumulator rejected, String runDir, Consumer<String> progress);
}
