package io.fedlake.bench;

import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.lake.SparkSessions;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.train.PreprocessorFit;
import io.fedlake.translate.DataSpec;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.to_date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scoring throughput, measured side by side in one run on the same Delta input (synthetic credit), same machine:
 * <ol>
 *   <li>Fedlake's scorer (ScoringJob: Delta in → batched ND4J inference → Delta out, provenance, quarantine, count
 *       reconciliation), without reason codes, with 4 for the declines only (the default) and with 4 for every row;</li>
 *   <li>the I/O floor: the same input read and the scorer's 15 output columns written the same way, with no model;</li>
 *   <li>Spark MLlib: the same feature encoding (index + one-hot + standardise) and a
 *       MultilayerPerceptronClassificationModel with the same hidden layers, Delta in → Delta out, once writing its
 *       key, prediction and probability (3 columns), once writing the same score table as Fedlake's scorer;</li>
 *   <li>the compute bound: the same network's batched forward pass in this JVM on pre-encoded arrays.</li>
 * </ol>
 * Each Spark contender runs once to warm up, then {@code -Dfedlake.bench.rounds} (default 3) times in interleaved
 * rounds. Prints the median rows/s of each and the ratios of medians. Not a test: run {@code benchmarks/scoring.sh}.
 */
public final class ScoringBenchmark {

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        String root = args.length > 1 ? args[1] : "benchmarks/lake";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16384; // the scorer's default (--batch-size)
        SparkSession spark = SparkSessions.create("fedlake scoring benchmark", System.getProperty("spark.master", "local[2]"), Map.of());
        Lake lake = new Lake(spark, root);
        DataSpec spec = Domain.CREDIT.dataSpec();
        if (!lake.exists("raw.credit") || lake.readLatest("raw.credit", "").data().count() != rows) {
            SyntheticData.generate(lake, Domain.CREDIT, rows, SyntheticData.defaultPartitions(Domain.CREDIT, rows, 2), 42, "bench");
        }
        Lake.Snapshot input = lake.readLatest("raw.credit", "");
        Dataset<Row> sample = input.data().limit(20_000).cache();
        TabularPreprocessor tabular = PreprocessorFit.fit(FeatureStatistics.compute(sample, spec.numeric(), spec.categorical(), 100),
                spec.numeric(), spec.categorical());
        Preprocessing pre = new Preprocessing(tabular, null, spec.outputs());
        ModelHyperParams hyper = ModelHyperParams.creditDefaults(1);
        ComputationGraph net = Architectures.byName("credit-mlp").build(pre.modelSpec(), hyper);
        // Trained on the sample (3 epochs, minibatches of 256): reason codes for the declines cost what they cost at the
        // decline rate of a model that fits the data, not at an untrained network's (every probability near 0.5)
        RowTranslator fit = new RowTranslator(pre, sample.schema(), true, "raw.credit");
        List<org.nd4j.linalg.dataset.MultiDataSet> minibatches = new ArrayList<>();
        RowTranslator.Batch mb = fit.newBatch(256);
        for (java.util.Iterator<Row> it = sample.toLocalIterator(); it.hasNext(); ) {
            mb.add(it.next()); // a row it cannot encode is left out
            if ((mb.full() || !it.hasNext()) && mb.rows() > 0) {
                minibatches.add(new org.nd4j.linalg.dataset.MultiDataSet(mb.features(), mb.labels()));
                mb.clear();
            }
        }
        for (int epoch = 0; epoch < 3; epoch++) {
            minibatches.forEach(net::fit);
        }
        ModelRegistry registry = new ModelRegistry(lake);
        ModelFiles.ModelVersion v = registry.register("bench-credit", "bench-" + System.currentTimeMillis(), NetworkBytes.toBytes(net, false), pre,
                Map.of("training_run_id", "bench"));
        ModelFiles.LoadedModel model = registry.load("bench-credit:" + v.version());
        System.out.printf("input: %,d rows in %s (Delta version %d); model inputs %s%n", rows, input.path(), input.version(), pre.modelSpec().inputs());

        // MLlib with the same hidden layers and the same feature encoding, fitted on the same sample
        List<PipelineStage> stages = new ArrayList<>();
        List<String> vec = new ArrayList<>();
        for (String c : spec.categorical()) {
            stages.add(new StringIndexer().setInputCol(c).setOutputCol(c + "_i").setHandleInvalid("keep"));
            stages.add(new OneHotEncoder().setInputCol(c + "_i").setOutputCol(c + "_v"));
            vec.add(c + "_v");
        }
        stages.add(new VectorAssembler().setInputCols(spec.numeric().toArray(new String[0])).setOutputCol("num"));
        stages.add(new StandardScaler().setInputCol("num").setOutputCol("num_s").setWithMean(true));
        vec.add("num_s");
        stages.add(new VectorAssembler().setInputCols(vec.toArray(new String[0])).setOutputCol("features"));
        Dataset<Row> labelled = sample.withColumn("label", sample.col("defaulted_12m").cast("double"));
        Row encoded = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(labelled).transform(labelled).select("features").head();
        int width = ((org.apache.spark.ml.linalg.Vector) encoded.get(0)).size();
        int[] layers = {width, hyper.hiddenLayers().get(0), hyper.hiddenLayers().get(1), 2};
        stages.add(new MultilayerPerceptronClassifier().setLayers(layers).setMaxIter(3).setSeed(1).setLabelCol("label"));
        PipelineModel mllib = new Pipeline().setStages(stages.toArray(new PipelineStage[0]))
                .fit(labelled);

        // Every contender runs once untimed (JIT, first use of each code path), then ROUNDS times in interleaved
        // rounds, so that a change in the machine's load during the run reaches all of them alike; medians are compared.
        int rounds = Integer.getInteger("fedlake.bench.rounds", 3);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            LocalDate date = LocalDate.of(2000, 1, 1).plusDays(round);
            System.out.printf("%s round %d%n", round == 0 ? "warm-up" : "timed", round);
            record(rates, round, SCORER, fedlake(lake, input, model, date, batch, 0, ScoringJob.ReasonCodesFor.ADVERSE));
            record(rates, round, SCORER_REASONS_ADVERSE, fedlake(lake, input, model, date, batch, 4, ScoringJob.ReasonCodesFor.ADVERSE));
            record(rates, round, SCORER_REASONS, fedlake(lake, input, model, date, batch, 4, ScoringJob.ReasonCodesFor.ALL));
            record(rates, round, FLOOR, ioFloor(lake, input, model, rows, date));
            record(rates, round, MLLIB, mllib(mllib, input, lake.pathOf("bench.mllib_scores"), rows));
            record(rates, round, MLLIB_SAME_TABLE, mllibSameTable(mllib, input, model, lake.pathOf("bench.mllib_score_table"), rows, date));
        }

        // The compute bound: forward passes over the same table's rows, encoded beforehand by the scorer's translator into
        //    batches of the same size, in this JVM (no Spark, no I/O)
        RowTranslator translator = new RowTranslator(pre, input.data().schema(), false, "raw.credit");
        List<INDArray[]> batches = new ArrayList<>();
        RowTranslator.Batch b = translator.newBatch(batch);
        for (java.util.Iterator<Row> it = input.data().toLocalIterator(); it.hasNext(); ) {
            b.add(it.next());
            if (b.full() || !it.hasNext()) {
                batches.add(b.features());
                b.clear();
            }
        }
        // The scorer's tasks used one native thread each (spark.task.cpus); this bound gets every core of the machine.
        int cores = Runtime.getRuntime().availableProcessors();
        Nd4j.getEnvironment().setMaxThreads(cores);
        Nd4j.factory().blas().setMaxThreads(cores);
        ComputationGraph local = NetworkBytes.fromBytes(model.networkBytes());
        for (int i = 0; i < Math.min(50, batches.size()); i++) {
            local.output(false, batches.get(i));
        }
        List<Double> passes = new ArrayList<>();
        for (int pass = 0; pass < rounds; pass++) {
            long n = 0;
            long t0 = System.nanoTime();
            for (INDArray[] x : batches) {
                local.output(false, x);
                n += x[0].size(0);
            }
            passes.add(n / ((System.nanoTime() - t0) / 1e9));
        }
        double raw = median(passes);
        System.out.printf("%nrows/s, %,d rows, batch %d, master %s, scorer ND4J threads per task = spark.task.cpus, raw-bound ND4J threads %d (OMP_NUM_THREADS=%s), load average %s%n", rows, batch,
                spark.sparkContext().master(), Nd4j.getEnvironment().maxThreads(), System.getenv("OMP_NUM_THREADS"), loadAverage());
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            System.out.printf("  %-42s %,12.0f   (rounds %s)%n", e.getKey(), median(e.getValue()),
                    e.getValue().stream().map(x -> String.format("%,.0f", x)).toList());
        }
        System.out.printf("  %-42s %,12.0f%n", "raw ND4J forward (compute bound)", raw);
        double ours = median(rates.get(SCORER));
        System.out.printf("ratios of medians: fedlake / mllib = %.2f   fedlake / mllib writing the same score table = %.2f   fedlake / raw ND4J = %.2f%n",
                ours / median(rates.get(MLLIB)), ours / median(rates.get(MLLIB_SAME_TABLE)), ours / raw);
        System.out.printf("        with reason codes / mllib = %.2f   I/O floor / raw ND4J = %.2f (no Delta-in/Delta-out scorer writing these columns can beat it)   fedlake / I/O floor = %.2f%n",
                median(rates.get(SCORER_REASONS)) / median(rates.get(MLLIB)), median(rates.get(FLOOR)) / raw, ours / median(rates.get(FLOOR)));
        double declines = lake.spark().read().format("delta").load(lake.pathOf("scores.bench_reasons_adverse"))
                .selectExpr("avg(CASE WHEN decision = 'decline' THEN 1.0D ELSE 0.0D END)").head().getDouble(0);
        System.out.printf("        reason codes for the declines (%.1f %% of rows at threshold 0.2) / mllib writing the same score table = %.2f   "
                        + "for every row / mllib writing the same score table = %.2f%n", 100 * declines,
                median(rates.get(SCORER_REASONS_ADVERSE)) / median(rates.get(MLLIB_SAME_TABLE)), median(rates.get(SCORER_REASONS)) / median(rates.get(MLLIB_SAME_TABLE)));
        // Derived, not measured: a scorer that spent nothing beyond the floor's I/O and the bare forward pass (both on all
        // cores, one after the other per row) would take 1/floor + 1/raw seconds per row.
        double bound = 1 / (1 / median(rates.get(FLOOR)) + 1 / raw);
        System.out.printf("        derived bound I/O floor + forward pass = %,.0f rows/s = %.2f x mllib (3 columns); fedlake reaches %.0f %% of it%n",
                bound, bound / median(rates.get(MLLIB)), 100 * ours / bound);
        spark.stop();
    }

    private static final String SCORER = "fedlake scorer";
    private static final String SCORER_REASONS = "fedlake scorer + 4 reason codes, all";
    private static final String SCORER_REASONS_ADVERSE = "fedlake scorer + 4 reason codes, declines";
    private static final String FLOOR = "I/O floor (no model, same output)";
    private static final String MLLIB = "spark mllib MLP (3 columns)";
    private static final String MLLIB_SAME_TABLE = "spark mllib MLP (same score table)";

    /** Keeps the rates of the timed rounds; the warm-up round (0) is only printed. */
    private static void record(Map<String, List<Double>> rates, int round, String contender, double rowsPerSecond) {
        if (round > 0) {
            rates.computeIfAbsent(contender, k -> new ArrayList<>()).add(rowsPerSecond);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }

    private static double fedlake(Lake lake, Lake.Snapshot input, ModelFiles.LoadedModel model, LocalDate date, int batch, int reasons,
                                  ScoringJob.ReasonCodesFor reasonsFor) {
        long t0 = System.nanoTime();
        ScoringJob.Outcome o = ScoringJob.run(lake, new ScoringJob.Request(reasons == 0 ? "bench" : "bench_reasons_" + reasonsFor.word(), input,
                input.data(), "application_id", "branch_id", model, date, "bench", batch, 0.2, ScoringPresets.decisions(Domain.CREDIT), reasons,
                ScoringPresets.featureLabels(Domain.CREDIT), Map.of(), reasonsFor));
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fedlake scorer: %,d read = %,d scored + %,d quarantined in %.1f s%n", o.input(), o.scored(), o.quarantined(), s);
        return o.input() / s;
    }

    /**
     * Reads the input and writes the scorer's output columns (probability a seeded uniform draw per row: as many distinct
     * values as real scores, so Parquet encodes it the same way) to a Delta table partitioned and
     * committed like {@code scores.<domain>} (lean statistics, replaceWhere on the date): the I/O a scorer cannot avoid.
     */
    private static double ioFloor(Lake lake, Lake.Snapshot input, ModelFiles.LoadedModel model, long rows, LocalDate date) {
        return writeScoreTable("I/O floor", input.data(), rand(42), input, model, lake.pathOf("bench.io_floor"), rows, date);
    }

    /**
     * Writes {@code scored}'s rows as the scorer's 15 columns (key, client, {@code probability}, decision, provenance) to a
     * Delta table created and committed like {@code scores.<domain>}: partitioned by date, lean statistics, replaceWhere.
     */
    private static double writeScoreTable(String what, Dataset<Row> scored, Column probability, Lake.Snapshot input,
                                          ModelFiles.LoadedModel model, String out, long rows, LocalDate date) {
        List<Column> columns = new ArrayList<>(List.of(col("application_id"), col("branch_id").cast("string").as("client_id")));
        columns.addAll(ScoringJob.decisionColumns(probability, 0.2, ScoringPresets.decisions(Domain.CREDIT)));
        columns.addAll(ScoringJob.provenanceColumns(model.version(), input, Map.of(), "bench", java.sql.Timestamp.from(java.time.Instant.now()),
                date.toString()));
        Dataset<Row> d = scored.select(columns.toArray(new Column[0]));
        ScoringJob.createWithLeanStatistics(input.data().sparkSession(), out, d.schema(), List.of("application_id", "probability"));
        long t0 = System.nanoTime();
        d.write().format("delta").mode("overwrite").partitionBy("logical_date").option("replaceWhere", "logical_date = DATE'" + date + "'").save(out);
        double s = (System.nanoTime() - t0) / 1e9;
        long written = input.data().sparkSession().read().format("delta").load(out).where(col("logical_date").equalTo(to_date(lit(date.toString())))).count();
        System.out.printf("%s: %,d rows read and written in %.1f s%n", what, written, s);
        return rows / s;
    }

    /** MLlib's scores written to the same kind of score table as Fedlake's: the same columns, partitioning and commit. */
    private static double mllibSameTable(PipelineModel model, Lake.Snapshot input, ModelFiles.LoadedModel registered, String out, long rows,
                                         LocalDate date) {
        Dataset<Row> scored = model.transform(input.data());
        Column p = org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64").getItem(1);
        return writeScoreTable("mllib, same score table", scored, p, input, registered, out, rows, date);
    }

    private static double mllib(PipelineModel model, Lake.Snapshot input, String out, long rows) {
        long t0 = System.nanoTime();
        model.transform(input.data()).select("application_id", "probability", "prediction")
                .withColumn("p_default", org.apache.spark.ml.functions.vector_to_array(org.apache.spark.sql.functions.col("probability"), "float64")
                        .getItem(1)).drop("probability")
                .write().format("delta").mode("overwrite").save(out);
        double s = (System.nanoTime() - t0) / 1e9;
        long written = input.data().sparkSession().read().format("delta").load(out).count();
        System.out.printf("mllib: %,d rows written in %.1f s%n", written, s);
        return rows / s;
    }
}
