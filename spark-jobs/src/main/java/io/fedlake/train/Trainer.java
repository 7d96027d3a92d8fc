package io.fedlake.train;

import io.fedlake.translate.RowTranslator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A training regime: fits an initialised network on the training split of a table. One contract for every
 * regime (dl4j-spark parameter averaging, Fedlake's own parameter averaging, federated averaging), so
 * the CLI, the pipeline and the evaluation are shared.
 */
public interface Trainer {

    /** Name used with {@code --regime}. */
    String regime();

    /**
     * @param network    initialised network; implementations may train it in place or return another instance
     * @param rows       training rows, already restricted to the columns the translator reads
     * @param translator row → network input boundary (same one scoring uses)
     * @param context    run directory, holdout rows, resume flag, rejected-row counter and progress sink
     * @return the trained network
     */
    ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext context);

    /** What this regime adds to the model's provenance after {@link #train} (rounds run, strategy, privacy spent). */
    default java.util.Map<String, Object> report() {
        return java.util.Map.of();
    }
}
