package io.fedlake.it;

import io.fedlake.testing.LocalSparkTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RAPIDS Accelerator 25.04.0 in {@code spark.rapids.sql.mode=explainOnly} through a real spark-submit on this CPU
 * machine ({@code --jars}: under plain {@code java -cp} its driver plugin cannot load its shims): over the scoring
 * job's input query and a feature materialisation, the jobs succeed and the plugin's report of which operators would
 * and would not run on a GPU is captured, checked, and written to {@code target/rapids-explain/}. What it found is
 * summarised in {@code gpu-config/README.md}.
 */
class RapidsExplainOnlyIT extends LocalSparkTest {

    /** An operator line of the plugin's explain output: {@code *Exec <X> will run on GPU}, {@code !Exec <X> cannot run on GPU because …}. */
    static final Pattern OPERATOR = Pattern.compile("^\\s*([*!])(Exec|Command)?\\s?<(\\w+(?:Exec|Command))> (will run on GPU|cannot run on GPU because (.*))$");

    static final List<String> EXPLAIN_ONLY = List.of(
            "--conf", "spark.plugins=com.nvidia.spark.SQLPlugin",
            "--conf", "spark.rapids.sql.mode=explainOnly",
            "--conf", "spark.rapids.sql.explain=ALL",
            // 25.04.0's executor plugin checks the GPU architecture even in explainOnly mode (NVIDIA/spark-rapids#12723,
            // fixed after 25.04 by #12724): without a GPU that check is a fatal CUDA error, so skip it here.
            "--conf", "spark.rapids.skipGpuArchitectureCheck=true");

    static String rapidsJar;

    @BeforeAll
    static void fetchRapidsJar() throws Exception {
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("bash", SparkSubmit.ROOT.resolve("tests/bin/rapids-jar.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("RAPIDS_VERSION", System.getProperty("fedlake.rapids.version", "25.04.0"));
        pb.environment().put("MAVEN_REPO", System.getProperty("fedlake.maven.repo", System.getProperty("user.home") + "/.m2/repository"));
        pb.environment().put("MVN", System.getProperty("fedlake.mvn", "mvn"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "tests/bin/rapids-jar.sh failed");
        rapidsJar = out.lines().reduce((a, b) -> b).orElseThrow();
        System.out.printf("RapidsExplainOnlyIT: rapids jar %s (%,d bytes) ready in %.1f s%n", rapidsJar, Files.size(Path.of(rapidsJar)), (System.nanoTime() - start) / 1e9);
    }

    @Test
    void scoringInputAndFeatureMaterialisationRunUnderExplainOnlyAndReportWhatWouldRunOnGpu() throws Exception {
        Path lake = tmp.resolve("lake");
        SparkSubmit.Result gen = SparkSubmit.run(tmp, "generate", "--domain", "credit", "--rows", "2000", "--lake", lake.toString());
        assertEquals(0, gen.code(), gen.tail());
        SparkSubmit.Result train = SparkSubmit.run(tmp, "train", "--domain", "credit", "--epochs", "1", "--lake", lake.toString());
        assertEquals(0, train.code(), train.tail());
        String date = spark.read().format("delta").load(lake.resolve("raw/credit").toString())
                .groupBy("application_date").count().orderBy(org.apache.spark.sql.functions.col("count").desc(), org.apache.spark.sql.functions.col("application_date"))
                .first().get(0).toString();

        SparkSubmit.Result score = SparkSubmit.run(tmp, List.of(rapidsJar), EXPLAIN_ONLY, Map.of(),
                "score", "--domain", "credit", "--model", "credit-mlp", "--date", date, "--lake", lake.toString());
        assertEquals(0, score.code(), score.tail());
        assertTrue(score.line("scored raw.credit for " + date).contains(" scored + 0 quarantined"), score.tail());
        Map<String, Integer> scoring = report("scoring", score);
        // Delta 3.3's scan: 25.04.0 ships Delta providers for Delta 2.0-2.4 only, so the Parquet files of a Delta 3 table are read on CPU
        assertTrue(scoring.containsKey("cannot FileSourceScanExec: unsupported file format: org.apache.spark.sql.delta.DeltaParquetFileFormat"), scoring.toString());
        // the ND4J forward pass is Fedlake's own partition function (GPU through ND4J CUDA, not through rapids)
        assertTrue(scoring.keySet().stream().anyMatch(k -> k.startsWith("cannot MapPartitionsExec: ")), scoring.toString());
        assertTrue(scoring.containsKey("will ProjectExec"), scoring.toString());

        SparkSubmit.Result features = SparkSubmit.run(tmp, List.of(rapidsJar), EXPLAIN_ONLY, Map.of(),
                "features", "materialize", "--view", "credit_applicant_history", "--from", "2024-01-01", "--to", "2026-12-31", "--lake", lake.toString());
        assertEquals(0, features.code(), features.tail());
        assertTrue(features.line("materialized features.credit_applicant_history").contains(" rows written"), features.tail());
        Map<String, Integer> materialise = report("materialisation", features);
        // the point-in-time window aggregation itself would run on the GPU
        assertTrue(materialise.containsKey("will WindowExec"), materialise.toString());
        assertTrue(materialise.containsKey("will HashAggregateExec"), materialise.toString());
        assertTrue(materialise.containsKey("cannot FileSourceScanExec: unsupported file format: org.apache.spark.sql.delta.DeltaParquetFileFormat"), materialise.toString());
    }

    /** The run's explain report as counts per (verdict, operator, reason); written to target/rapids-explain/ and the build log. */
    private static Map<String, Integer> report(String name, SparkSubmit.Result run) throws IOException {
        assertTrue(run.stderr().contains("RAPIDS Accelerator is in explain only mode"), run.tail());
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : run.stderr().lines().toList()) {
            Matcher m = OPERATOR.matcher(line);
            if (m.find()) {
                String reason = m.group(5) == null ? "" : ": " + m.group(5).replaceAll("[#@]\\d+", "").replaceAll("(.{0,200}).*", "$1").strip();
                counts.merge((m.group(1).equals("*") ? "will " : "cannot ") + m.group(3) + reason, 1, Integer::sum);
            }
        }
        assertTrue(counts.keySet().stream().anyMatch(k -> k.startsWith("will ")), name + ": no operator would run on GPU?\n" + run.tail());
        StringBuilder sb = new StringBuilder("RAPIDS 25.04.0 explainOnly, " + name + " (operator lines: count verdict operator: reason)\n");
        counts.forEach((k, v) -> sb.append(String.format("%4d  %s%n", v, k)));
        Path dir = Path.of("target/rapids-explain");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + "-summary.txt"), sb.toString());
        Files.writeString(dir.resolve(name + "-stderr.log"), run.stderr());
        System.out.print(sb);
        return counts;
    }
}
