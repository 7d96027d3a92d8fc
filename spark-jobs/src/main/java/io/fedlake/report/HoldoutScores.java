package io.fedlake.report;

import io.fedlake.core.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.lake.TableRoles;
import io.fedlake.preset.Domain;
import io.fedlake.registry.ModelFiles;
import io.fedlake.train.HoldoutSplit;
import io.fedlake.train.TrainingJob;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

/**
 * A registered model's holdout, scored again: the training table at the Delta version its provenance records, the
 * same deterministic split (entity key hashed with the run's seed), the same encoding and batched inference as the
 * training run's evaluation — so the report's curves belong to the registered metrics, and the report checks that
 * the recomputed AUC is the registered one.
 *
 * @param scores   key, client (null when the table has no client column), label (1.0 for the positive class, 0.0),
 *                 probability of the positive class; persisted until {@link #close}
 * @param output   the first binary output, whose probability {@code scores} holds
 * @param training the training table as the run read it
 * @param trainRows the rows the network was fit on (the split's training side), for drift baselines
 * @param clientColumn the column that names a row's client (branch, hospital, plant), or null
 * @param entityKey the training table's key column
 * @param network  the model's bytes on the executors, while {@code scores} may still be recomputed from them
 */
public record HoldoutScores(Dataset<Row> scores, ModelSpec.Output output, Lake.Snapshot training, Dataset<Row> trainRows, String clientColumn,
                            String entityKey, Broadcast<byte[]> network) implements AutoCloseable {

    public static final String KEY = "key";
    public static final String CLIENT = "client";
    public static final String LABEL = "label";
    public static final String PROBABILITY = "probability";

    /** Scores the holdout of {@code model}; a model without a binary output, or whose training data is gone, is a {@link UserError}. */
    public static HoldoutScores of(Lake lake, ModelFiles.LoadedModel model) {
        Map<String, Object> meta = model.version().metadata();
        ModelSpec spec = model.preprocessing().modelSpec();
        ModelSpec.Output output = spec.outputs().stream().filter(ModelSpec.Output::binary).findFirst()
                .orElseThrow(() -> new UserError("model " + model.version().name() + " has no binary output: no ROC, calibration or threshold to report"));
        String table = text(meta, "training_table");
        long version = number(meta, "training_table_version").longValue();
        String key = text(meta, "entity_key");
        long seed = number(meta, "seed").longValue();
        double fraction = meta.get("trainer") instanceof Map<?, ?> t && t.get("holdout_fraction") instanceof Number n ? n.doubleValue() : Double.NaN;
        if (Double.isNaN(fraction)) {
            throw new UserError("model " + model.version().name() + " records no holdout fraction: its holdout cannot be recomputed");
        }
        Lake.Snapshot training = lake.readAt(table, version);
        List<String> columns = Arrays.asList(training.data().columns());
        String client = clientColumn(lake, table, columns);
        Column isHoldout = HoldoutSplit.isHoldout(key, seed, fraction);
        Dataset<Row> holdout = training.data().where(isHoldout);
        List<String> keep = new ArrayList<>(List.of(key, output.column()));
        if (client != null && !keep.contains(client)) {
            keep.add(client);
        }
        RowTranslator translator = new RowTranslator(model.preprocessing(), holdout.schema(), true, table);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<byte[]> network = jsc.broadcast(model.networkBytes());
        Dataset<Row> scored = TrainingJob.scoreHoldout(holdout, keep, translator, network, model.version().sha256());
        Dataset<Row> scores = scored.select(col(key).cast("string").as(KEY),
                        client == null ? lit(null).cast("string").as(CLIENT) : col(client).cast("string").as(CLIENT),
                        TrainingJob.classIndex(col(output.column()), output).as(LABEL), col(output.name()).as(PROBABILITY))
                .where(col(LABEL).isNotNull().and(col(PROBABILITY).isNotNull()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        if (scores.isEmpty()) {
            scores.unpersist();
            network.destroy();
            throw new UserError("the holdout of " + model.version().name() + " in " + table + " v" + version + " has no labelled rows the model can score");
        }
        return new HoldoutScores(scores, output, training, training.data().where(not(isHoldout)), client, key, network);
    }

    /** The preset domain's client key, else the client role recorded on the table at ingest, if the table has that column. */
    static String clientColumn(Lake lake, String table, List<String> columns) {
        String client = Arrays.stream(Domain.values()).filter(d -> d.rawTable().equals(table)).map(Domain::clientKey).findFirst()
                .orElseGet(() -> TableRoles.of(lake, table).client());
        return client != null && columns.contains(client) ? client : null;
    }

    static String text(Map<String, Object> meta, String key) {
        Object v = meta.get(key);
        if (v == null) {
            throw new UserError("the model's provenance records no " + key);
        }
        return String.valueOf(v);
    }

    static Number number(Map<String, Object> meta, String key) {
        if (meta.get(key) instanceof Number n) {
            return n;
        }
        throw new UserError("the model's provenance records no " + key);
    }

    @Override
    public void close() {
        scores.unpersist();
        network.destroy();
    }
}
