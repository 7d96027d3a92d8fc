package io.fedlake.train;

import io.fedlake.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import java.util.function.Consumer;

/**
 * What a regime needs from the run around it.
 *
 * @param runDir   Hadoop URI of the run's private directory (temporary files, checkpoints); deleted after success
 * @param holdout  held-out rows (same columns as the training rows) for per-round evaluation
 * @param resume   continue from the latest checkpoint under {@code runDir} instead of starting fresh
 * @param rejected counts rows that could not be encoded; regimes add to it, never drop silently
 * @param progress receives one human-readable line per epoch/round
 * @param stopping early stopping's tracker (then {@code holdout} holds the validation rows), or null: no early stopping
 */
public record TrainingContext(Lake lake, String runId, String modelName, String runDir, Dataset<Row> holdout, boolean resume,
                              LongAccumulator rejected, Consumer<String> progress, EarlyStopping.Tracker stopping) {

    public String checkpointDir() {
        return runDir + "/checkpoints";
    }
}
