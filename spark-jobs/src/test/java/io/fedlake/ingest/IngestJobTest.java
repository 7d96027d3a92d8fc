package io.fedlake.ingest;

import io.fedlake.generate.SyntheticData;
import io.fedlake.lake.Domain;
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

        IngestJob.Outcome o = IngestJob.tabular(lake, landing.toString(), "csv", "raw.credit", SyntheticData.schema(Domain.CREDIT), "application_id", "overwrite", "run-csv");

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
}
