package io.fedlake.bench;

import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.generate.SyntheticData;
import io.fedlake.lake.Domain;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.to_date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scoring throughput, measured side by side in one run on the same Delta input (synthetic credit), same machine:
 * <ol>
 *   <li>Fedlake's scorer (ScoringJob: Delta in → batched ND4J inference → Delta out, provenance, quarantine, count
 *       reconciliation), without and with reason codes;</li>
 *   <li>Spark MLlib: the same feature encoding (index + one-hot + standardise) and a
 *       MultilayerPerceptronClassificationModel with the same hidden layers, Delta in → Delta out;</li>
 *   <li>the compute bound: the same network's batched forward pass in this JVM on pre-encoded arrays.</li>
 * </ol>
 * Prints rows/s and the ratios. Not a test: run {@code benchmarks/scoring.sh}.
 */
public final class ScoringBenchmark {

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        String root = args.length > 1 ? args[1] : "benchmarks/lake";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16384; // the scorer's default (--batch-size)
        SparkSession spark = SparkSessions.create("fedlake scoring benchmark", System.getProperty("spark.master", "local[2]"), Map.of());
        Lake lake = new Lake(spark, root);
        DataSpec spec = DataSpec.credit();
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
        ModelRegistry registry = new ModelRegistry(lake);
        ModelFiles.ModelVersion v = registry.register("bench-credit", "bench-" + System.currentTimeMillis(), NetworkBytes.toBytes(net, false), pre,
                Map.of("training_run_id", "bench"));
        ModelFiles.LoadedModel model = registry.load("bench-credit:" + v.version());
        System.out.printf("input: %,d rows in %s (Delta version %d); model inputs %s%n", rows, input.path(), input.version(), pre.modelSpec().inputs());

        // 1. Fedlake scorer (first run also warms the JVM; it is reported but the second is used)
        double oursCold = fedlake(lake, input, model, LocalDate.of(2000, 1, 1), batch, 0);
        double ours = fedlake(lake, input, model, LocalDate.of(2000, 1, 2), batch, 0);
        double oursReasons = fedlake(lake, input, model, LocalDate.of(2000, 1, 3), batch, 4);

        // the I/O floor: the same input read and the same 15 score columns written the same way, without any model
        double floor = ioFloor(lake, input, model, rows);

        // 2. MLlib with the same hidden layers
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
        double mllibRate = mllib(mllib, input, lake.pathOf("bench.mllib_scores"), rows);

        // 3. compute bound: forward passes over the same table's rows, encoded beforehand by the scorer's translator into
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
        long n = 0;
        long t0 = System.nanoTime();
        for (INDArray[] x : batches) {
            local.output(false, x);
            n += x[0].size(0);
        }
        double raw = n / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("%nrows/s, %,d rows, batch %d, master %s, scorer ND4J threads per task = spark.task.cpus, raw-bound ND4J threads %d (OMP_NUM_THREADS=%s), load average %s%n", rows, batch,
                spark.sparkContext().master(), Nd4j.getEnvironment().maxThreads(), System.getenv("OMP_NUM_THREADS"), loadAverage());
        System.out.printf("  fedlake scorer (cold run)        %,12.0f%n", oursCold);
        System.out.printf("  fedlake scorer                   %,12.0f%n", ours);
        System.out.printf("  fedlake scorer + 4 reason codes  %,12.0f%n", oursReasons);
        System.out.printf("  I/O floor (no model, same output) %,12.0f%n", floor);
        System.out.printf("  spark mllib MLP %s  %,12.0f%n", java.util.Arrays.toString(layers), mllibRate);
        System.out.printf("  raw ND4J forward (compute bound) %,12.0f%n", raw);
        System.out.printf("ratios: fedlake / mllib = %.2f   fedlake / raw ND4J = %.2f   (with reason codes / mllib = %.2f)%n",
                ours / mllibRate, ours / raw, oursReasons / mllibRate);
        System.out.printf("        I/O floor / raw ND4J = %.2f (no Delta-in/Delta-out scorer writing these columns can beat it)   fedlake / I/O floor = %.2f%n",
                floor / raw, ours / floor);
        spark.stop();
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }

    private static double fedlake(Lake lake, Lake.Snapshot input, ModelFiles.LoadedModel model, LocalDate date, int batch, int reasons) {
        long t0 = System.nanoTime();
        ScoringJob.Outcome o = ScoringJob.run(lake, new ScoringJob.Request(reasons > 0 ? "bench_reasons" : "bench", input, input.data(),
                "application_id", "branch_id", model, date, "bench", batch, 0.2, ScoringPresets.decisions(Domain.CREDIT), reasons,
                ScoringPresets.featureLabels(Domain.CREDIT)));
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fedlake scorer: %,d read = %,d scored + %,d quarantined in %.1f s%n", o.input(), o.scored(), o.quarantined(), s);
        return o.input() / s;
    }

    /**
     * Reads the input and writes the scorer's output columns (probability a constant) to a Delta table partitioned and
     * committed like {@code scores.<domain>} (lean statistics, replaceWhere on the date): the I/O a scorer cannot avoid.
     */
    private static double ioFloor(Lake lake, Lake.Snapshot input, ModelFiles.LoadedModel model, long rows) {
        String out = lake.pathOf("bench.io_floor");
        Dataset<Row> d = input.data().select(col("application_id"), col("branch_id").cast("string").as("client_id"), lit(0.5).as("probability"),
                lit("approve").as("decision"), lit(0.2).as("decision_threshold"), lit(model.version().name()).as("model_name"),
                lit(model.version().version()).as("model_version"), lit(model.version().sha256()).as("model_sha256"),
                lit("bench").as("training_run_id"), lit("raw.credit").as("input_table"), lit(input.version()).as("input_version"),
                map_from_arrays(array().cast("array<string>"), array().cast("array<bigint>")).as("feature_versions"), lit("bench").as("job_run_id"),
                current_timestamp().as("scored_at"), to_date(lit("2000-01-01")).as("logical_date"));
        ScoringJob.createWithLeanStatistics(lake.spark(), out, d.schema(), List.of("application_id", "probability"));
        long t0 = System.nanoTime();
        d.write().format("delta").mode("overwrite").partitionBy("logical_date").option("replaceWhere", "logical_date = DATE'2000-01-01'").save(out);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("I/O floor: %,d rows read and written in %.1f s%n", lake.spark().read().format("delta").load(out).count(), s);
        return rows / s;
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
