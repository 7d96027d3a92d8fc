package io.fedlake.registry;

import io.fedlake.cli.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor.NumericFeature;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.Preprocessing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRegistryTest extends LocalSparkTest {

    private static final Preprocessing PRE = new Preprocessing(new TabularPreprocessor(
            List.of(new NumericFeature("a", 0, 1), new NumericFeature("b", 1, 2), new NumericFeature("c", -1, 3)), List.of()),
            null, List.of(new ModelSpec.Output("p", "y", List.of("0", "1"))));
    private static Lake lake;
    private static ModelRegistry registry;

    @BeforeAll
    static void open() {
        lake = new Lake(spark, tmp.resolve("lake-registry").toString());
        registry = new ModelRegistry(lake);
    }

    private static byte[] network(long seed) {
        return NetworkBytes.toBytes(Architectures.byName("credit-mlp").build(PRE.modelSpec(), ModelHyperParams.creditDefaults(seed)), false);
    }

    private static ModelFiles.ModelVersion register(String name, String run, long seed, double auc) {
        return registry.register(name, run, network(seed), PRE, Map.of("architecture", "credit-mlp", "training_run_id", run,
                "metrics", Map.of("holdout_auc", auc, "holdout_log_loss", 1 - auc)));
    }

    @Test
    void roundTripGivesIdenticalOutputsAndProvenance() {
        byte[] bytes = network(5);
        ModelFiles.ModelVersion v = registry.register("roundtrip", "run-1", bytes, PRE, Map.of("training_table", "raw.credit", "training_table_version", 7));

        ModelFiles.LoadedModel back = registry.load("roundtrip:" + v.version());

        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3);
        ComputationGraph original = NetworkBytes.fromBytes(bytes);
        assertEquals(original.outputSingle(x), NetworkBytes.fromBytes(back.networkBytes()).outputSingle(x));
        assertEquals(PRE, back.preprocessing());
        assertEquals(NetworkBytes.sha256(bytes), back.version().sha256());
        assertEquals("raw.credit", back.version().metadata().get("training_table"));
        Row row = registry.list().where("name = 'roundtrip'").head();
        assertEquals(7L, (long) row.getAs("training_table_version"));
    }

    @Test
    void versionsAreConsecutiveAndTheBareNameMeansNewest() {
        assertEquals("1", register("seq", "r1", 1, 0.7).version());
        assertEquals("2", register("seq", "r2", 2, 0.7).version());
        assertEquals("3", register("seq", "r3", 3, 0.7).version());
        assertEquals(3, registry.resolve("seq").version());
        assertEquals(2, registry.resolve("seq:2").version());
        UserError e = assertThrows(UserError.class, () -> registry.resolve("seq:9"));
        assertEquals("model seq has no version 9", e.getMessage());
    }

    @Test
    void concurrentRegistrationsGetDistinctVersionNumbers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ModelFiles.ModelVersion>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                futures.add(pool.submit((Callable<ModelFiles.ModelVersion>) () -> register("race", "run-" + n, n, 0.7)));
            }
            List<String> versions = new ArrayList<>();
            for (Future<ModelFiles.ModelVersion> f : futures) {
                versions.add(f.get().version());
            }
            assertEquals(List.of("1", "2", "3"), versions.stream().sorted().toList());
            assertEquals(3, registry.list().where("name = 'race'").select("version").distinct().count());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void promotionIsGatedOnTheMetricAndAliasesMove() {
        register("gate", "g1", 1, 0.80);
        register("gate", "g2", 2, 0.79);
        register("gate", "g3", 3, 0.70);

        assertTrue(registry.promote("gate:1", "champion", "holdout_auc", 0.005, true).promoted(), "first promotion always passes");
        assertEquals(1, registry.resolve("gate@champion").version());

        ModelRegistry.Promotion refused = registry.promote("gate:3", "champion", "holdout_auc", 0.005, true);
        assertFalse(refused.promoted());
        assertTrue(refused.message().startsWith("refused: gate:3 holdout_auc 0.7000 is worse than champion gate:1 (0.8000)"), refused.message());
        assertEquals(1, registry.resolve("gate@champion").version());

        assertTrue(registry.promote("gate:2", "champion", "holdout_auc", 0.02, true).promoted(), "0.01 worse is within 0.02");
        assertEquals(2, registry.resolve("gate@champion").version());
        assertTrue(registry.promote("gate:3", "challenger", "holdout_auc", 0, true).promoted());
        assertFalse(registry.promote("gate:3", "champion", "holdout_log_loss", 0.05, false).promoted(), "log loss 0.30 vs 0.21");

        List<Row> rows = registry.list().where("name = 'gate'").collectAsList();
        assertEquals("champion", rows.stream().filter(r -> (long) r.getAs("version") == 2).findFirst().orElseThrow().getAs("aliases"));
        assertEquals("challenger", rows.stream().filter(r -> (long) r.getAs("version") == 3).findFirst().orElseThrow().getAs("aliases"));
        assertThrows(UserError.class, () -> registry.resolve("gate@nobody"));
    }

    @Test
    void aTamperedArtifactIsRefused() throws IOException {
        ModelFiles.ModelVersion v = register("tamper", "t1", 1, 0.7);
        Path zip = Path.of(java.net.URI.create(v.uri() + "/model.zip"));
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(zip, bytes);

        UserError e = assertThrows(UserError.class, () -> registry.load("tamper:1"));
        assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
    }

    @Test
    void aTruncatedArtifactIsRefusedByItsSha256EvenWhereTheFileSystemKeepsNoChecksums() throws IOException {
        ModelFiles.ModelVersion v = register("truncate", "t1", 1, 0.7);
        Path zip = Path.of(java.net.URI.create(v.uri() + "/model.zip"));
        byte[] bytes = Files.readAllBytes(zip);
        Files.write(zip, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Files.deleteIfExists(zip.resolveSibling(".model.zip.crc")); // as on HDFS or S3, which keep no local .crc files

        UserError e = assertThrows(UserError.class, () -> registry.load("truncate"));
        assertTrue(e.getMessage().contains("fails its checksum: model.zip has SHA-256"), e.getMessage());
    }

    @Test
    void badReferencesAreExplained() {
        assertEquals("bad model reference 'Credit MLP': expected NAME, NAME:VERSION or NAME@ALIAS",
                assertThrows(UserError.class, () -> registry.resolve("Credit MLP")).getMessage());
        String msg = assertThrows(UserError.class, () -> registry.resolve("never-trained")).getMessage();
        assertTrue(msg.startsWith("no model named 'never-trained' is registered"), msg);
    }
}
