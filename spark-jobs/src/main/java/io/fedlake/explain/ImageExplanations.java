package io.fedlake.explain;

import io.fedlake.core.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelFiles;
import io.fedlake.score.ScoringJob;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.artifact.NetworkBytes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

/**
 * Explains the images of a scoring run: the {@code N} rows it scored highest are attributed with
 * {@link IntegratedGradients} and their heatmaps go to {@code explanations.<domain>}, one Delta partition per
 * logical date replaced atomically (a rerun leaves one set), each row with the scored row's key and probability, the
 * method and its baseline, the completeness check and the scoring run's provenance.
 *
 * <p>The attributions are computed on the driver: {@code N} is bounded ({@link #MAX_IMAGES}) and each image costs one
 * batch of {@link #STEPS} forward and backward passes, so even the largest request is seconds of work, not a job.
 */
public final class ImageExplanations {

    public static final int MAX_IMAGES = 500;
    static final int STEPS = 32;
    static final double BLUR_SIGMA = 4.0;

    private ImageExplanations() {
    }

    /**
     * @param scoresTable the table the run wrote, e.g. {@code scores.imaging}
     * @param rows        the rows the run scored (the input of {@link ScoringJob.Request#rows()})
     */
    public record Request(String domain, String scoresTable, Lake.Snapshot input, Dataset<Row> rows, String entityKey,
                          ModelFiles.LoadedModel model, String date, String jobRunId, int images, Map<String, Long> featureViews) {
        public Request {
            if (images < 1 || images > MAX_IMAGES) {
                throw new UserError("--explain-images must be within 1…" + MAX_IMAGES + ", got " + images);
            }
        }
    }

    /** @param attributions per explained row, in rank order (key → attribution) */
    public record Outcome(long explained, String table, String path, long version, double meanCompletenessGap, double seconds,
                          List<Map.Entry<String, IntegratedGradients.Attribution>> attributions) {
    }

    /** Refuses, in one line, a model whose decisions image explanations cannot explain. */
    public static void requireExplainable(ModelFiles.LoadedModel model, String reference) {
        ModelSpec spec = model.preprocessing().modelSpec();
        if (spec.imageInputs().size() != 1) {
            throw new UserError("--explain-images explains a model with one image input; " + reference + " has "
                    + spec.imageInputs().size());
        }
        if (spec.outputs().stream().noneMatch(ModelSpec.Output::binary)) {
            throw new UserError("--explain-images explains a binary output; " + reference + " has none");
        }
    }

    public static Outcome run(Lake lake, Request r) {
        long t0 = System.nanoTime();
        requireExplainable(r.model(), r.model().version().name());
        SparkSession spark = lake.spark();
        ModelSpec spec = r.model().preprocessing().modelSpec();
        int imageInput = spec.inputs().indexOf(spec.imageInputs().get(0));
        int output = indexOfFirstBinary(spec);

        Dataset<Row> top = spark.read().format("delta").load(lake.pathOf(r.scoresTable()))
                .where(col("logical_date").equalTo(to_date(lit(r.date()))).and(col("job_run_id").equalTo(r.jobRunId())))
                .select(col(r.entityKey()), col("client_id"), col("probability"))
                .orderBy(col("probability").desc(), col(r.entityKey()))
                .limit(r.images());
        List<Row> ranked = top.collectAsList();
        Map<Object, Row> inputs = new HashMap<>();
        for (Row row : r.rows().join(top.select(r.entityKey()), r.entityKey()).collectAsList()) {
            inputs.putIfAbsent(row.getAs(r.entityKey()), row);
        }
        StructType schema = r.rows().join(top.select(r.entityKey()), r.entityKey()).schema();
        RowTranslator translator = new RowTranslator(r.model().preprocessing(), schema, false, r.input().table());
        RowTranslator.Batch batch = translator.newBatch(Math.max(1, ranked.size()));
        for (Row scored : ranked) {
            Row row = inputs.get(scored.getAs(r.entityKey()));
            String reason = row == null ? "is no longer in the input" : batch.add(row);
            if (reason != null) {
                // The run scored this row a moment ago: a translation failure now means the input changed under us.
                throw new IllegalStateException("row " + scored.getAs(r.entityKey()) + " of " + r.scoresTable() + " " + reason);
            }
        }
        ComputationGraph net = NetworkBytes.fromBytes(r.model().networkBytes());
        IntegratedGradients ig = new IntegratedGradients(new LogitGradients(net, output, imageInput), imageInput, STEPS, BLUR_SIGMA);
        List<Row> out = new ArrayList<>();
        List<Map.Entry<String, IntegratedGradients.Attribution>> attributions = new ArrayList<>();
        double gap = 0;
        if (!ranked.isEmpty()) {
            INDArray[] x = batch.features();
            for (int i = 0; i < ranked.size(); i++) {
                IntegratedGradients.Attribution a = ig.explain(x, i);
                gap += Math.abs(a.completenessGap());
                Row s = ranked.get(i);
                attributions.add(Map.entry(String.valueOf(s.get(0)), a));
                out.add(RowFactory.create(String.valueOf(s.get(0)), s.get(1), i + 1, s.getDouble(2), IntegratedGradients.METHOD, ig.baseline(),
                        a.logit(), a.baselineLogit(), a.completenessGap(), Heatmaps.overlay(a)));
            }
        }
        StructType explanationSchema = new StructType()
                .add("entity_id", DataTypes.StringType).add("client_id", DataTypes.StringType).add("rank", DataTypes.IntegerType)
                .add("probability", DataTypes.DoubleType).add("method", DataTypes.StringType).add("baseline", DataTypes.StringType)
                .add("logit", DataTypes.DoubleType).add("baseline_logit", DataTypes.DoubleType)
                .add("completeness_gap", DataTypes.DoubleType).add("heatmap_png", DataTypes.BinaryType);
        List<Column> cols = new ArrayList<>();
        for (String f : explanationSchema.fieldNames()) {
            cols.add(col(f));
        }
        cols.addAll(ScoringJob.provenanceColumns(r.model().version(), r.input(), r.featureViews(), r.jobRunId(), Timestamp.from(Instant.now()), r.date()));
        String table = "explanations." + r.domain();
        String path = lake.pathOf(table);
        ScoringJob.writeDatePartition(spark.createDataFrame(out, explanationSchema).select(cols.toArray(new Column[0])), path, r.date(), null, r.jobRunId());
        return new Outcome(out.size(), table, path, lake.version(table), ranked.isEmpty() ? 0 : gap / ranked.size(), (System.nanoTime() - t0) / 1e9,
                List.copyOf(attributions));
    }

    private static int indexOfFirstBinary(ModelSpec spec) {
        for (int o = 0; o < spec.outputs().size(); o++) {
            if (spec.outputs().get(o).binary()) {
                return o;
            }
        }
        throw new IllegalStateException("no binary output");
    }
}
