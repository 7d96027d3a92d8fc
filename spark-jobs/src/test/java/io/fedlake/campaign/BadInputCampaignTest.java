package io.fedlake.campaign;

import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.generate.SyntheticData;
import io.fedlake.ingest.IngestJob;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.train.PreprocessorFit;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.image.ImageCheck;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded bad-input campaign over CSV ingest, image ingest and scoring: generated inputs (truncated files and
 * lines, wrong types, NaN/inf, huge values, empty partitions and files, malformed PNG/JPEG headers, decompression
 * bombs, paths outside the manifest's folder) must never crash a job, and every input must be accounted for:
 * input = landed (scored) + quarantined, nothing silently dropped. Prints how many cases each part tried.
 */
class BadInputCampaignTest extends LocalSparkTest {

    private static final long SEED = 20261201L;
    private static Lake lake;
    private static int tried;

    @BeforeAll
    static void open() {
        lake = new Lake(spark, tmp.resolve("lake-campaign").toString());
    }

    @AfterAll
    static void summary() {
        System.out.println("bad-input campaign (seed " + SEED + "): " + tried + " generated inputs");
    }

    // ---- CSV ----

    private static final String[] CSV_HEADER = {"id", "amount", "count", "label"};

    /** One CSV data line: a valid record or one of the ways a record goes wrong. */
    private static String csvLine(SplittableRandom r, int i) {
        String id = "R" + i;
        String amount = String.format(java.util.Locale.ROOT, "%.3f", r.nextDouble() * 1000);
        String count = Integer.toString(r.nextInt(100));
        String label = r.nextBoolean() ? "yes" : "no";
        return switch (r.nextInt(16)) {
            case 0 -> id + "," + amount + "," + "abc" + "," + label;                     // wrong type
            case 1 -> id + "," + "NaN" + "," + count + "," + label;
            case 2 -> id + "," + (r.nextBoolean() ? "Infinity" : "-Infinity") + "," + count + "," + label;
            case 3 -> id + "," + "1e400" + "," + count + "," + label;                    // overflows a double
            case 4 -> id + "," + amount + "," + "99999999999999999999" + "," + label;   // overflows an int
            case 5 -> id + "," + amount;                                                // truncated line
            case 6 -> id + "," + amount + "," + count + "," + label + ",extra,fields";
            case 7 -> "," + amount + "," + count + "," + label;                          // missing key
            case 8 -> "R" + r.nextInt(Math.max(1, i)) + "," + amount + "," + count + "," + label; // duplicate key (usually)
            case 9 -> id + ",\"" + amount + "," + count + "," + label;                   // unbalanced quote
            case 10 -> id + "," + amount + "," + count + ",\"" + "x".repeat(5_000 + r.nextInt(5_000)) + "\"";
            case 11 -> id + ",\u0000\u00ff," + count + "," + "é✓\u202e";                  // control and odd characters
            case 12 -> id + "," + ",," ;                                                 // empty fields
            default -> id + "," + amount + "," + count + "," + label;
        };
    }

    @Test
    void csvIngestAccountsForEveryLine() throws IOException {
        SplittableRandom r = new SplittableRandom(SEED);
        StructType schema = new StructType().add("id", DataTypes.StringType).add("amount", DataTypes.DoubleType)
                .add("count", DataTypes.IntegerType).add("label", DataTypes.StringType);
        for (int batch = 0; batch < 3; batch++) {
            Path dir = Files.createDirectories(tmp.resolve("campaign-csv-" + batch));
            int lines = 0;
            for (int file = 0; file < 3; file++) {
                StringBuilder sb = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
                int n = file == 2 ? 0 : 40 + r.nextInt(30); // the third file has a header only: an empty partition
                for (int i = 0; i < n; i++) {
                    sb.append(csvLine(r, lines + i)).append('\n');
                }
                lines += n;
                String text = sb.toString();
                if (file == 1 && r.nextBoolean()) {
                    text = text.substring(0, text.length() - 1 - r.nextInt(5)); // truncated mid-line, no final newline
                }
                Files.writeString(dir.resolve("part-" + file + ".csv"), text, StandardCharsets.UTF_8);
            }
            tried += lines;
            for (String format : List.of("typed", "inferred")) {
                IngestJob.Outcome o = IngestJob.tabular(lake, dir.toString(), "csv", "raw.campaign_csv_" + batch + "_" + format,
                        format.equals("typed") ? schema : null, "id", "overwrite", new IngestJob.Batch("run-csv-" + batch + format, LocalDate.of(2026, 1, 1), false));
                assertEquals(lines, o.read(), "batch " + batch + " " + format + ": every data line is read");
                assertEquals(o.read(), o.landed() + o.quarantined());
                assertEquals(o.landed(), spark.read().format("delta").load(o.path()).count());
            }
        }
    }

    // ---- images ----

    private static byte[] png(int w, int h, int type) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static byte[] jpeg(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "jpeg", out);
        return out.toByteArray();
    }

    /** A PNG whose (CRC-correct) IHDR claims {@code w × h}: a decompression bomb's header over a tiny IDAT. */
    private static byte[] pngClaiming(int w, int h) throws IOException {
        byte[] real = png(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        ByteBuffer b = ByteBuffer.wrap(real);
        b.putInt(16, w).putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(real, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return real;
    }

    /** A JPEG whose SOF0 claims {@code w × h} (16-bit fields). */
    private static byte[] jpegClaiming(int w, int h) throws IOException {
        byte[] real = jpeg(16, 16);
        for (int i = 2; i + 8 < real.length; i++) {
            if ((real[i] & 0xFF) == 0xFF && (real[i + 1] & 0xFF) == 0xC0) {
                real[i + 5] = (byte) (h >> 8);
                real[i + 6] = (byte) h;
                real[i + 7] = (byte) (w >> 8);
                real[i + 8] = (byte) w;
                break;
            }
        }
        return real;
    }

    private static byte[] imageCase(SplittableRandom r, Path dir, String name) throws IOException {
        byte[] good = r.nextBoolean() ? png(8 + r.nextInt(60), 8 + r.nextInt(60), BufferedImage.TYPE_BYTE_GRAY) : jpeg(8 + r.nextInt(60), 8 + r.nextInt(60));
        return switch (r.nextInt(14)) {
            case 0 -> java.util.Arrays.copyOf(good, r.nextInt(good.length));                  // truncated anywhere
            case 1 -> {
                byte[] b = good.clone();
                for (int k = 0; k < 1 + r.nextInt(8); k++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));                   // bit rot
                }
                yield b;
            }
            case 2 -> pngClaiming(100_000, 100_000);
            case 3 -> pngClaiming(r.nextInt(), r.nextInt());                                    // negative / absurd sizes
            case 4 -> jpegClaiming(65_000, 65_000);
            case 5 -> jpegClaiming(0, 0);
            case 6 -> {
                byte[] b = new byte[r.nextInt(2048)];
                r.nextBytes(b);
                yield b;                                                                          // noise
            }
            case 7 -> new byte[0];
            case 8 -> {
                byte[] b = new byte[8 + r.nextInt(64)];
                System.arraycopy(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, b, 0, 8);
                yield b;                                                                          // PNG signature, garbage after
            }
            case 9 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), r.nextBoolean() ? "gif" : "bmp", out);
                yield out.toByteArray();                                                          // decodable, not PNG/JPEG
            }
            case 10 -> png(300 + r.nextInt(300), 10, BufferedImage.TYPE_BYTE_GRAY);             // over the side limit
            default -> good;
        };
    }

    @Test
    void imageIngestAccountsForEveryManifestRow() throws IOException {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        Path base = Files.createDirectories(tmp.resolve("campaign-images"));
        Path images = Files.createDirectories(base.resolve("images"));
        Files.createDirectories(images.resolve("a-directory"));
        png(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        Files.write(tmp.resolve("outside.png"), png(16, 16, BufferedImage.TYPE_BYTE_GRAY));
        List<String> rows = new ArrayList<>();
        rows.add("id,path,label");
        int n = 220;
        for (int i = 0; i < n; i++) {
            String id = r.nextInt(40) == 0 ? "" : "img-" + (r.nextInt(30) == 0 ? r.nextInt(Math.max(1, i)) : i);
            String path = switch (r.nextInt(20)) {
                case 0 -> "images/a-directory";
                case 1 -> "images/missing-" + i + ".png";
                case 2 -> "../outside.png";
                case 3 -> tmp.resolve("outside.png").toString();
                case 4 -> "file://" + tmp.resolve("outside.png");
                case 5 -> "";
                case 6 -> "images/" + "x".repeat(300) + ".png";                               // name too long for the file system
                default -> {
                    String file = "images/f" + i + ".bin";
                    Files.write(base.resolve(file), imageCase(r, images, file));
                    yield file;
                }
            };
            rows.add(id + "," + path + "," + (r.nextBoolean() ? 1 : 0));
        }
        Path manifest = Files.writeString(base.resolve("manifest.csv"), String.join("\n", rows) + "\n");
        tried += n;

        IngestJob.Outcome o = IngestJob.images(lake, manifest.toString(), "raw.campaign_images", "id", "path", new ImageCheck(1 << 20, 8, 256, 0),
                "overwrite", new IngestJob.Batch("run-img-campaign", LocalDate.of(2026, 1, 2), false));

        assertEquals(n, o.read());
        assertEquals(o.read(), o.landed() + o.quarantined());
        List<Row> landed = spark.read().format("delta").load(o.path()).collectAsList();
        assertEquals(o.landed(), landed.size());
        ImageCheck strict = new ImageCheck(1 << 20, 8, 256, 0);
        for (Row l : landed) {
            assertTrue(strict.check(l.getAs("image")).ok(), "a landed image decodes: " + l.getAs("id"));
            assertTrue(l.<String>getAs("path").startsWith("images/"), "only files under the manifest's folder land: " + l.getAs("path"));
        }
        long reasons = spark.read().format("delta").load(lake.pathOf("quarantine.campaign_images"))
                .where(col("job_run_id").equalTo("run-img-campaign").and(col("reason").isNotNull())).count();
        assertEquals(o.quarantined(), reasons);
    }

    // ---- scoring ----

    @Test
    void scoringAccountsForEveryRowAndScoresOnlyFiniteProbabilities() {
        Dataset<Row> good = SyntheticData.rows(spark, Domain.CREDIT, 300, 2, 9);
        DataSpec spec = Domain.CREDIT.dataSpec();
        TabularPreprocessor tabular = PreprocessorFit.fit(FeatureStatistics.compute(good, spec.numeric(), spec.categorical(), 20),
                spec.numeric(), spec.categorical());
        Preprocessing pre = new Preprocessing(tabular, null, spec.outputs());
        new ModelRegistry(lake, java.util.Optional.empty()).register("campaign", "run-c", NetworkBytes.toBytes(
                Architectures.byName("credit-mlp").build(pre.modelSpec(), ModelHyperParams.creditDefaults(3)), false), pre, Map.of("training_run_id", "run-c"));

        SplittableRandom r = new SplittableRandom(SEED + 2);
        StructType schema = new StructType(java.util.Arrays.stream(good.schema().fields())
                .map(f -> new StructField(f.name(), f.dataType(), true, f.metadata())).toArray(StructField[]::new)); // raw tables hold nulls
        List<Row> rows = new ArrayList<>();
        Set<String> corruptible = new HashSet<>(spec.numeric());
        corruptible.addAll(spec.categorical());
        for (Row g : good.collectAsList()) {
            Object[] v = new Object[schema.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = g.get(i);
            }
            int corruptions = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(3);
            for (int k = 0; k < corruptions; k++) {
                int i = r.nextInt(v.length);
                StructField f = schema.fields()[i];
                if (!corruptible.contains(f.name())) {
                    continue;
                }
                v[i] = corrupt(r, f, v[i]);
            }
            rows.add(RowFactory.create(v));
        }
        tried += rows.size();
        // 16 partitions for 300 rows after a filter that empties some: empty partitions reach the scorer
        Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(16).where(col("application_id").isNotNull());
        long expected = input.count();
        input.write().format("delta").mode("overwrite").save(lake.pathOf("raw.campaign_credit"));
        Lake.Snapshot snap = lake.readLatest("raw.campaign_credit", "campaign");
        ScoringJob.Outcome o = ScoringJob.run(lake, new ScoringJob.Request("campaign", snap, snap.data().repartition(16), "application_id", "branch_id",
                new ModelRegistry(lake, java.util.Optional.empty()).load("campaign"), LocalDate.of(2026, 1, 3), "run-score-campaign", 64, 0.2,
                ScoringPresets.decisions(Domain.CREDIT), 4, ScoringPresets.featureLabels(Domain.CREDIT)));

        assertEquals(expected, o.input());
        assertEquals(o.input(), o.scored() + o.quarantined());
        Dataset<Row> scores = spark.read().format("delta").load(o.scoresPath());
        assertEquals(o.scored(), scores.count());
        assertEquals(0, scores.where("NOT (probability >= 0 AND probability <= 1)").count(), "every scored probability is finite, in [0, 1]");
    }

    private static Object corrupt(SplittableRandom r, StructField f, Object old) {
        if (r.nextInt(6) == 0) {
            return null;
        }
        if (f.dataType().equals(DataTypes.DoubleType)) {
            double[] bad = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e308, -1e308, Double.MIN_VALUE, 1e18, -0.0};
            return bad[r.nextInt(bad.length)];
        }
        if (f.dataType().equals(DataTypes.IntegerType)) {
            int[] bad = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0};
            return bad[r.nextInt(bad.length)];
        }
        if (f.dataType().equals(DataTypes.LongType)) {
            long[] bad = {Long.MAX_VALUE, Long.MIN_VALUE, -1};
            return bad[r.nextInt(bad.length)];
        }
        if (f.dataType().equals(DataTypes.StringType)) {
            String[] bad = {"", "UNSEEN-CATEGORY", "x".repeat(10_000), "\u0000", "NaN"};
            return bad[r.nextInt(bad.length)];
        }
        return old;
    }
}
