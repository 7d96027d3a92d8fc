package io.fedlake.ingest;

import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.zoo.image.ImageCheck;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestJobTest extends LocalSparkTest {

    private static Lake lake;

    @BeforeAll
    static void open() {
        lake = new Lake(spark, tmp.resolve("lake-ingest").toString());
    }

    private static Map<String, String> quarantineReasons(String table) {
        Map<String, String> reasons = new HashMap<>();
        for (Row r : spark.read().format("delta").load(lake.pathOf(table)).collectAsList()) {
            reasons.merge(r.getAs("entity_id") == null ? "<null>" : r.getAs("entity_id"), r.getAs("reason"), (a, b) -> a + " | " + b);
        }
        return reasons;
    }

    @Test
    void csvWithMalformedMissingAndDuplicateRecordsLandsTheRestAndQuarantinesThoseWithReasons() throws IOException {
        Path dir = tmp.resolve("credit-csv");
        SyntheticData.rows(spark, Domain.CREDIT, 50, 1, 3).coalesce(1).write().option("header", "true").csv(dir.toString());
        Path csv;
        try (var files = Files.list(dir)) {
            csv = files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        String first = lines.get(1);
        String malformed = first.replaceFirst("^APP-\\d+", "APP-MALFORMED").replaceFirst(",BR-(\\d+),(\\d+),", ",BR-$1,abc,");
        String noKey = first.replaceFirst("^APP-\\d+", "");
        Path landing = Files.createDirectories(tmp.resolve("credit-landing")).resolve("applications.csv");
        Files.writeString(landing, String.join("\n", lines) + "\n" + malformed + "\n" + noKey + "\n" + first + "\n");

        IngestJob.Outcome o = IngestJob.tabular(lake, landing.toString(), "csv", "raw.credit", Domain.CREDIT.rawSchema(), "application_id", "overwrite", "run-csv");

        assertEquals(53, o.read());
        assertEquals(4, o.quarantined());
        assertEquals(49, o.landed());
        assertEquals(49, spark.read().format("delta").load(o.path()).count());
        Map<String, String> reasons = quarantineReasons("quarantine.credit");
        String dup = first.substring(0, first.indexOf(','));
        assertEquals("malformed record: does not parse as the table's schema", reasons.get("APP-MALFORMED"));
        assertEquals("missing key application_id", reasons.get("<null>"));
        assertEquals("duplicate key application_id in the input | duplicate key application_id in the input", reasons.get(dup));
    }

    private static void png(Path file, int w, int h) throws IOException {
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
    }

    @Test
    void imageFolderWithManifestValidatesEveryFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("scans/images"));
        png(dir.resolve("a.png"), 64, 64);
        png(dir.resolve("b.png"), 64, 64);
        Files.writeString(dir.resolve("c.png"), "not an image");
        png(dir.resolve("d.png"), 300, 300);
        Path manifest = tmp.resolve("scans/manifest.csv");
        Files.writeString(manifest, String.join("\n", "image_id,path,finding,hospital_id",
                "a,images/a.png,1,H01", "b,images/b.png,0,H02", "c,images/c.png,0,H01", "d,images/d.png,1,H03", "e,images/missing.png,0,H01",
                "b,images/b.png,0,H02") + "\n");

        IngestJob.Outcome o = IngestJob.images(lake, manifest.toString(), "raw.scans", "image_id", "path", new ImageCheck(1 << 20, 8, 256, 1), "overwrite", "run-img");

        assertEquals(6, o.read());
        assertEquals(1, o.landed());
        assertEquals(5, o.quarantined());
        Row a = spark.read().format("delta").load(o.path()).head();
        assertEquals("a", a.getAs("image_id"));
        assertEquals(64, (int) a.getAs("image_width"));
        assertEquals("H01", a.getAs("hospital_id"));
        assertTrue(((byte[]) a.getAs("image")).length > 0);
        Map<String, String> reasons = quarantineReasons("quarantine.scans");
        assertEquals("not a PNG or JPEG image", reasons.get("c"));
        assertEquals("image is 300×300, outside 8…256 pixels a side", reasons.get("d"));
        assertEquals("file not found: images/missing.png", reasons.get("e"));
        assertEquals("duplicate key image_id in the input | duplicate key image_id in the input", reasons.get("b"));
    }

    // ---- safe input (#16) ----

    private static final ImageCheck CHECK = new ImageCheck(1 << 20, 8, 256, 0);

    private static List<Row> quarantineOf(String table, String source) {
        return spark.read().format("delta").load(lake.pathOf(table)).where(org.apache.spark.sql.functions.col("input_table").equalTo(source))
                .orderBy("entity_id").collectAsList();
    }

    @Test
    void manifestPathsOutsideItsFolderAreRefusedWithTheSameReasonWhetherOrNotTheFileExists() throws IOException {
        Path secret = tmp.resolve("secret.png");
        png(secret, 16, 16);
        Path dir = Files.createDirectories(tmp.resolve("confined/images"));
        png(dir.resolve("ok.png"), 16, 16);
        Path manifest = tmp.resolve("confined/manifest.csv");
        Files.writeString(manifest, String.join("\n", "id,path",
                "abs," + secret, "absmissing," + tmp.resolve("nope.png"), "up,../secret.png", "upmissing,../nope.png",
                "uri," + secret.toUri(), "urimissing," + tmp.resolve("nope.png").toUri(), "inner,images/../../secret.png",
                "fine,images/ok.png") + "\n");

        IngestJob.Outcome o = IngestJob.images(lake, manifest.toString(), "raw.confined", "id", "path", CHECK, "overwrite",
                new IngestJob.Batch("run-confined", java.time.LocalDate.of(2024, 3, 1), false));

        assertEquals(8, o.read());
        assertEquals(1, o.landed());
        assertEquals(7, o.quarantined());
        List<Row> bad = quarantineOf("quarantine.confined", manifest.toString());
        assertEquals(7, bad.size());
        for (Row r : bad) {
            assertEquals(IngestJob.OUTSIDE, r.getAs("reason"), (String) r.getAs("entity_id"));
        }

        IngestJob.Outcome allowed = IngestJob.images(lake, manifest.toString(), "raw.confined", "id", "path", CHECK, "overwrite",
                new IngestJob.Batch("run-allowed", java.time.LocalDate.of(2024, 3, 1), true));
        assertEquals(5, allowed.landed(), "fine, abs, up, uri and inner (../secret.png from images/) exist");
        Map<String, String> reasons = new HashMap<>();
        quarantineOf("quarantine.confined", manifest.toString()).forEach(r -> reasons.put(r.getAs("entity_id"), r.getAs("reason")));
        assertEquals(Map.of("absmissing", "file not found: " + tmp.resolve("nope.png"), "upmissing", "file not found: ../nope.png",
                "urimissing", "file not found: " + tmp.resolve("nope.png").toUri()), reasons,
                "the rerun for the same date replaced the batch's quarantine rows");
    }

    /** Refuses every access, as a file system does for a file the job may not read. */
    public static final class DeniedFileSystem extends org.apache.hadoop.fs.RawLocalFileSystem {
        @Override
        public java.net.URI getUri() {
            return java.net.URI.create("denied:///");
        }

        @Override
        public org.apache.hadoop.fs.FileStatus getFileStatus(org.apache.hadoop.fs.Path f) throws IOException {
            throw new org.apache.hadoop.security.AccessControlException("Permission denied: user=fedlake, access=READ, inode=" + f);
        }

        @Override
        public org.apache.hadoop.fs.FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize) throws IOException {
            throw new org.apache.hadoop.security.AccessControlException("Permission denied: user=fedlake, access=READ, inode=" + f);
        }
    }

    @Test
    void everyPerRecordReadOrDecodeErrorIsQuarantinedWithItsReason() throws IOException {
        spark.sparkContext().hadoopConfiguration().set("fs.denied.impl", DeniedFileSystem.class.getName());
        spark.sparkContext().hadoopConfiguration().setBoolean("fs.denied.impl.disable.cache", true);
        Path dir = Files.createDirectories(tmp.resolve("errors/images/sub"));
        png(dir.resolveSibling("ok.png"), 16, 16);
        byte[] full = Files.readAllBytes(dir.resolveSibling("ok.png"));
        Files.write(dir.resolveSibling("truncated.png"), java.util.Arrays.copyOf(full, full.length / 2));
        Files.write(dir.resolveSibling("empty.png"), new byte[0]);
        Path manifest = tmp.resolve("errors/manifest.csv");
        Files.writeString(manifest, String.join("\n", "id,path", "ok,images/ok.png", "dir,images/sub", "denied,denied:///etc/shadow",
                "truncated,images/truncated.png", "empty,images/empty.png", "blank,") + "\n");

        IngestJob.Outcome o = IngestJob.images(lake, manifest.toString(), "raw.errors", "id", "path", CHECK, "overwrite",
                new IngestJob.Batch("run-errors", java.time.LocalDate.of(2024, 3, 2), true));

        assertEquals(6, o.read());
        assertEquals(1, o.landed());
        Map<String, String> reasons = new HashMap<>();
        quarantineOf("quarantine.errors", manifest.toString()).forEach(r -> reasons.put(r.getAs("entity_id"), r.getAs("reason")));
        assertEquals("not a file (a directory): images/sub", reasons.get("dir"));
        assertEquals("permission denied: denied:///etc/shadow", reasons.get("denied"));
        assertTrue(reasons.get("truncated").startsWith("undecodable image"), reasons.get("truncated"));
        assertEquals("empty file", reasons.get("empty"));
        assertEquals("missing path", reasons.get("blank"));
        assertEquals(5, reasons.size());
    }

    @Test
    void rerunningABatchLeavesOneCopyAndQuarantineRowsCarryItsLogicalDate() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("rerun/images"));
        png(dir.resolve("a.png"), 16, 16);
        png(dir.resolve("b.png"), 16, 16);
        Path manifest = tmp.resolve("rerun/manifest.csv");
        Files.writeString(manifest, String.join("\n", "id,path,label", "a,images/a.png,1", "b,images/b.png,0", "c,images/c.png,0") + "\n");
        java.time.LocalDate date = java.time.LocalDate.of(2024, 1, 15);

        IngestJob.Outcome first = IngestJob.images(lake, manifest.toString(), "raw.rerun", "id", "path", CHECK, "append",
                new IngestJob.Batch("run-r1", date, false));
        IngestJob.Outcome second = IngestJob.images(lake, manifest.toString(), "raw.rerun", "id", "path", CHECK, "append",
                new IngestJob.Batch("run-r2", date, false));

        assertEquals(List.of(2L, 1L), List.of(first.landed(), first.quarantined()));
        assertEquals(List.of(2L, 1L), List.of(second.landed(), second.quarantined()));
        assertEquals(2, spark.read().format("delta").load(lake.pathOf("raw.rerun")).count());
        List<Row> q = quarantineOf("quarantine.rerun", manifest.toString());
        assertEquals(1, q.size());
        assertEquals(java.sql.Date.valueOf(date), q.get(0).getAs("logical_date"));
        assertEquals("run-r2", q.get(0).getAs("job_run_id"));

        Path csv = Files.createDirectories(tmp.resolve("rerun-csv")).resolve("rows.csv");
        Files.writeString(csv, "id,x\n1,10\n2,20\n2,21\n");
        IngestJob.tabular(lake, csv.toString(), "csv", "raw.rerun_csv", null, "id", "append", new IngestJob.Batch("run-c1", date, false));
        IngestJob.Outcome again = IngestJob.tabular(lake, csv.toString(), "csv", "raw.rerun_csv", null, "id", "append", new IngestJob.Batch("run-c2", date, false));
        assertEquals(List.of(3L, 1L, 2L), List.of(again.read(), again.landed(), again.quarantined()));
        assertEquals(1, spark.read().format("delta").load(lake.pathOf("raw.rerun_csv")).count());
        assertEquals(2, quarantineOf("quarantine.rerun_csv", csv.toString()).size());
    }

    /** Identical records get distinct generated keys, the same ones on a rerun, so a rerun merges and duplicates nothing. */
    @Test
    void generatedKeysAreStableAcrossRerunsAndDistinctForIdenticalRecords() throws IOException {
        java.time.LocalDate date = java.time.LocalDate.of(2026, 12, 1);
        Path csv = Files.createDirectories(tmp.resolve("keyless-csv")).resolve("rows.csv");
        Files.writeString(csv, "a.b,c d\n1,x\n1,x\n2,y\n");
        IngestJob.Columns columns = new IngestJob.Columns("row_key", true, "c d", null);

        IngestJob.Outcome first = IngestJob.tabular(lake, csv.toString(), "csv", "raw.keyless", null, columns, "append", new IngestJob.Batch("run-k1", date, false));
        List<String> keys = spark.read().format("delta").load(lake.pathOf("raw.keyless")).select("row_key").orderBy("row_key").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        IngestJob.Outcome again = IngestJob.tabular(lake, csv.toString(), "csv", "raw.keyless", null, columns, "append", new IngestJob.Batch("run-k2", date, false));

        assertEquals(List.of(3L, 3L, 0L), List.of(first.read(), first.landed(), first.quarantined()));
        assertEquals(Map.of("a.b", "a_b", "c d", "c_d"), first.renamed());
        assertEquals(3, keys.stream().distinct().count(), keys.toString());
        assertTrue(keys.stream().allMatch(k -> k.matches("[0-9a-f]{32}-[12]")), keys.toString());
        assertEquals(List.of(3L, 3L), List.of(again.read(), again.landed()));
        assertEquals(keys, spark.read().format("delta").load(lake.pathOf("raw.keyless")).select("row_key").orderBy("row_key").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        io.fedlake.lake.TableRoles roles = io.fedlake.lake.TableRoles.of(lake, "raw.keyless");
        assertEquals(List.of("row_key", IngestJob.CONTENT_HASH, "c_d"), java.util.Arrays.asList(roles.key(), roles.generatedKey(), roles.label()));
        assertEquals(Map.of("a.b", "a_b", "c d", "c_d"), roles.renamed());
        long versions = spark.sql("DESCRIBE HISTORY delta.`" + lake.pathOf("raw.keyless") + "`").count();
        IngestJob.tabular(lake, csv.toString(), "csv", "raw.keyless", null, columns, "append", new IngestJob.Batch("run-k3", date, false));
        assertEquals(versions + 1, spark.sql("DESCRIBE HISTORY delta.`" + lake.pathOf("raw.keyless") + "`").count(),
                "a rerun adds its merge commit, and no second commit for roles that did not change");
    }

    @Test
    void aMissingKeyOrPathColumnIsNamedWithWhatToDo() throws IOException {
        Path manifest = Files.createDirectories(tmp.resolve("no-path")).resolve("manifest.csv");
        Files.writeString(manifest, "id,file\n1,a.png\n");
        Path csv = Files.createDirectories(tmp.resolve("no-id")).resolve("rows.csv");
        Files.writeString(csv, "x,y\n1,2\n");

        var noPath = org.junit.jupiter.api.Assertions.assertThrows(io.fedlake.core.UserError.class,
                () -> IngestJob.images(lake, manifest.toString(), "raw.no_path", "id", "path", CHECK, "overwrite", "run-np"));
        var noKey = org.junit.jupiter.api.Assertions.assertThrows(io.fedlake.core.UserError.class,
                () -> IngestJob.tabular(lake, csv.toString(), "csv", "raw.no_id", null, "id", "overwrite", "run-ni"));

        assertTrue(noPath.getMessage().contains("lacks column(s) path; it has id, file"), noPath.getMessage());
        assertTrue(noKey.getMessage().contains("has no key column id (its columns: x, y): name one with --key COLUMN, or have a stable one made with --generate-key NAME"),
                noKey.getMessage());
    }

    /** Another writer commits after the run: the run's count still comes from its own commit. */
    @Test
    void theLandedCountComesFromTheRunsOwnCommitNotTheLatest() {
        String path = lake.pathOf("raw.own_commit");
        spark.range(5).toDF("id").write().format("delta").mode("append").option("userMetadata", "run-mine").save(path);
        spark.range(100, 107).toDF("id").write().format("delta").mode("append").option("userMetadata", "run-theirs").save(path);

        assertEquals(5, IngestJob.landedByOwnCommit(lake, path, "run-mine"));
        assertEquals(7, IngestJob.landedByOwnCommit(lake, path, "run-theirs"));
        assertEquals(-1, IngestJob.landedByOwnCommit(lake, path, "run-nobody"));
    }

    @Test
    void pathResolutionIsDecidedOnTheTextAlone() {
        String base = "file:/data/scans";
        assertEquals("file:/data/scans/images/a.png", IngestJob.resolve(base, "images/a.png", false).toString());
        for (String out : List.of("/etc/passwd", "../x.png", "images/../../x.png", "file:/etc/passwd", "hdfs://nn/x", "s3a://b/k", "..", "a\\..\\..\\x")) {
            assertEquals(null, IngestJob.resolve(base, out, false), out);
        }
        assertEquals("/etc/passwd", IngestJob.resolve(base, "/etc/passwd", true).toString());
    }
}
