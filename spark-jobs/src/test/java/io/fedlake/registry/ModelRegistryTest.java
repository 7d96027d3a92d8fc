package io.fedlake.registry;

import io.fedlake.core.UserError;
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

    // ---- integrity (#16) ----

    private static final byte[] KEY = java.util.HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    private static ModelRegistry signed(Lake l) {
        return new ModelRegistry(l, java.util.Optional.of(io.fedlake.zoo.artifact.SigningKey.of(KEY)));
    }

    /** Rewrites a lake file through Hadoop, so the local file system's .crc is rewritten to match (a consistent rewrite). */
    private static void rewrite(Lake l, String uri, byte[] bytes) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        try (var out = l.fileSystem().create(p, true)) {
            out.write(bytes);
        }
    }

    private static byte[] readLake(Lake l, String uri) throws IOException {
        try (var in = l.fileSystem().open(new org.apache.hadoop.fs.Path(uri))) {
            return in.readAllBytes();
        }
    }

    /** Sets columns of a registry row, as anyone who can write the lake can. */
    private static void updateRow(Lake l, String name, long version, Map<String, org.apache.spark.sql.Column> set) {
        io.delta.tables.DeltaTable.forPath(spark, l.pathOf(ModelRegistry.MODELS_TABLE))
                .update(org.apache.spark.sql.functions.expr("name = '" + name + "' AND version = " + version), set);
    }

    private static Map<String, Object> json(byte[] b) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(b, new com.fasterxml.jackson.core.type.TypeReference<>() {
        });
    }

    private static byte[] json(Map<String, Object> m) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }

    /**
     * The attack the SHA-256s cannot see: another network in model.zip, model.json and the registry row rewritten
     * with its SHA-256. Without a key it loads (and says "unsigned"); with the key it is refused by the signature.
     */
    @Test
    void aConsistentTamperOfZipModelJsonAndRegistryRowIsRefusedByTheSignature() throws IOException {
        Lake l = new Lake(spark, tmp.resolve("lake-signed").toString());
        ModelRegistry reg = signed(l);
        ModelFiles.ModelVersion v = reg.register("signed", "s1", network(1), PRE, Map.of("metrics", Map.of("holdout_auc", 0.7)));
        assertTrue(reg.load("signed:1").signature().startsWith("signed (key "), reg.load("signed:1").signature());

        byte[] evil = network(99);
        Map<String, Object> meta = json(readLake(l, v.uri() + "/model.json"));
        meta.put("artifact_sha256", NetworkBytes.sha256(evil));
        byte[] metaBytes = json(meta);
        rewrite(l, v.uri() + "/model.zip", evil);
        rewrite(l, v.uri() + "/model.json", metaBytes);
        updateRow(l, "signed", 1, Map.of("sha256", org.apache.spark.sql.functions.lit(NetworkBytes.sha256(evil)),
                "metadata_json", org.apache.spark.sql.functions.lit(new String(metaBytes, java.nio.charset.StandardCharsets.UTF_8))));

        ModelFiles.LoadedModel unverified = new ModelRegistry(l, java.util.Optional.empty()).load("signed:1");
        assertEquals("unsigned (has a signature, but no FEDLAKE_SIGNING_KEY is configured to verify it)", unverified.signature());
        UserError e = assertThrows(UserError.class, () -> reg.load("signed:1"));
        assertTrue(e.getMessage().contains("fails its signature: model.sig does not match model.zip, preprocessor.json and model.json"), e.getMessage());
    }

    @Test
    void anUnsignedModelIsRefusedWhenAKeyIsConfigured() {
        Lake l = new Lake(spark, tmp.resolve("lake-unsigned").toString());
        new ModelRegistry(l, java.util.Optional.empty()).register("plain", "p1", network(1), PRE, Map.of());
        assertEquals("unsigned", new ModelRegistry(l, java.util.Optional.empty()).load("plain").signature());

        UserError e = assertThrows(UserError.class, () -> signed(l).load("plain"));
        assertTrue(e.getMessage().endsWith("is unsigned and FEDLAKE_SIGNING_KEY is set: refusing to load it"), e.getMessage());
    }

    @Test
    void aRegistryRowPointingAtAnotherModelsArtifactIsRefused() {
        ModelFiles.ModelVersion victim = register("victim", "v1", 1, 0.7);
        ModelFiles.ModelVersion other = register("other", "o1", 2, 0.9);
        String otherJson = registry.list().where("name = 'other'").head().getAs("metadata_json");
        updateRow(lake, "victim", 1, Map.of("artifact_uri", org.apache.spark.sql.functions.lit(other.uri()),
                "sha256", org.apache.spark.sql.functions.lit(other.sha256()), "metadata_json", org.apache.spark.sql.functions.lit(otherJson)));

        UserError e = assertThrows(UserError.class, () -> registry.load("victim:1"));
        assertTrue(e.getMessage().contains("the registry row points at an artifact of model other"), e.getMessage());
        assertTrue(victim.uri().endsWith("/models/victim/artifacts/v1"));
    }

    @Test
    void aRegistryRowWithRewrittenMetricsIsRefused() {
        register("metrics", "m1", 1, 0.6);
        updateRow(lake, "metrics", 1, Map.of("metrics", org.apache.spark.sql.functions.expr("map('holdout_auc', 0.99D, 'holdout_log_loss', 0.4D)")));

        UserError e = assertThrows(UserError.class, () -> registry.load("metrics:1"));
        assertTrue(e.getMessage().contains("the registry row's metrics"), e.getMessage());
    }

    /** A zip entry DL4J would read with ObjectInputStream, made consistent with model.json and the registry row. */
    @Test
    void aZipWithAForbiddenEntryIsRefusedBeforeDl4jReadsIt() throws IOException {
        ModelFiles.ModelVersion v = register("entries", "e1", 1, 0.7);
        byte[] zip = readLake(lake, v.uri() + "/model.zip");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip)); var z = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            z.putNextEntry(new java.util.zip.ZipEntry("normalizer.bin"));
            new java.io.ObjectOutputStream(z).writeObject(new java.util.HashMap<>(Map.of("gadget", "chain")));
            z.closeEntry();
        }
        byte[] evil = out.toByteArray();
        Map<String, Object> meta = json(readLake(lake, v.uri() + "/model.json"));
        meta.put("artifact_sha256", NetworkBytes.sha256(evil));
        byte[] metaBytes = json(meta);
        rewrite(lake, v.uri() + "/model.zip", evil);
        rewrite(lake, v.uri() + "/model.json", metaBytes);
        updateRow(lake, "entries", 1, Map.of("sha256", org.apache.spark.sql.functions.lit(NetworkBytes.sha256(evil)),
                "metadata_json", org.apache.spark.sql.functions.lit(new String(metaBytes, java.nio.charset.StandardCharsets.UTF_8))));

        UserError e = assertThrows(UserError.class, () -> registry.load("entries:1"));
        assertTrue(e.getMessage().contains("model.zip entry 'normalizer.bin' is not allowed"), e.getMessage());
    }

    /** The SHA-256 itself, not Hadoop's .crc, catches a flipped byte: here the .crc is rewritten to match. */
    @Test
    void aFlippedByteIsCaughtByTheSha256WhenTheCrcIsConsistent() throws IOException {
        ModelFiles.ModelVersion v = register("flip", "f1", 1, 0.7);
        byte[] bytes = readLake(lake, v.uri() + "/model.zip");
        bytes[bytes.length / 2] ^= 0x5A;
        rewrite(lake, v.uri() + "/model.zip", bytes);

        UserError e = assertThrows(UserError.class, () -> registry.load("flip:1"));
        assertTrue(e.getMessage().contains("fails its checksum: model.zip has SHA-256"), e.getMessage());
    }

    @Test
    void aFlippedByteIsCaughtByTheSha256WhenTheCrcIsRemoved() throws IOException {
        ModelFiles.ModelVersion v = register("flipnocrc", "f1", 1, 0.7);
        Path zip = Path.of(java.net.URI.create(v.uri() + "/model.zip"));
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 3] ^= 0x01;
        Files.write(zip, bytes);
        Files.deleteIfExists(zip.resolveSibling(".model.zip.crc"));

        UserError e = assertThrows(UserError.class, () -> registry.load("flipnocrc:1"));
        assertTrue(e.getMessage().contains("fails its checksum: model.zip has SHA-256"), e.getMessage());
    }

    /** model.json has no SHA of its own: a changed metric there is caught against the registry row's copy. */
    @Test
    void aChangedByteInModelJsonIsCaughtWithoutAKey() throws IOException {
        ModelFiles.ModelVersion v = register("jsonflip", "j1", 1, 0.7);
        String text = new String(readLake(lake, v.uri() + "/model.json"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("0.7"), text);
        rewrite(lake, v.uri() + "/model.json", text.replaceFirst("0\\.7", "0.9").getBytes(java.nio.charset.StandardCharsets.UTF_8));

        UserError e = assertThrows(UserError.class, () -> registry.load("jsonflip:1"));
        assertTrue(e.getMessage().contains("the registry row's metadata_json differs from model.json"), e.getMessage());
    }
}
