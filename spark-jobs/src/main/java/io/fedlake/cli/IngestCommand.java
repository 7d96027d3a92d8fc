package io.fedlake.cli;

import io.fedlake.ingest.IngestJob;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import io.fedlake.zoo.image.ImageCheck;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Land real data in a Delta table: CSV or Parquet files, or an image folder described by a manifest CSV",
                "(id, path relative to the manifest, optional label, client key and other columns). Invalid records go to",
                "quarantine.<table> with a reason; read = landed + quarantined is checked and printed. Manifest paths must lie",
                "under the manifest's folder (--allow-outside lifts that). Reruns are idempotent: append merges on the key,",
                "overwrite replaces the table, and the batch's quarantine rows (this source, this --date) are replaced."})
final class IngestCommand extends SparkCommand {

    @Option(names = "--source", required = true, paramLabel = "PATH|URI", description = "File or folder (csv, parquet), or the manifest CSV (images)")
    String source;

    @Option(names = "--format", defaultValue = "csv", description = "csv, parquet or images. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--table", description = "Target table, e.g. raw.credit. Default: the domain's raw table")
    String table;

    @Option(names = "--domain", description = "credit, imaging or defect: target table, key and (for CSV) the typed schema of the synthetic tables")
    String domainName;

    @Option(names = "--key", description = "Entity key column (id column of a manifest). Default: the domain's, else 'id'")
    String key;

    @Option(names = "--path-column", defaultValue = "path", description = "Manifest column with the image path. Default: ${DEFAULT-VALUE}")
    String pathColumn;

    @Option(names = "--mode", defaultValue = "append", description = "append or overwrite. Default: ${DEFAULT-VALUE}")
    String mode;

    @Option(names = "--max-image-bytes", defaultValue = "4194304", description = "Largest image file accepted. Default: ${DEFAULT-VALUE}")
    long maxImageBytes;

    @Option(names = "--max-image-side", defaultValue = "4096", description = "Largest width or height accepted. Default: ${DEFAULT-VALUE}")
    int maxImageSide;

    @Option(names = "--channels", defaultValue = "0", description = "Required colour channels: 1 gray, 3 colour, 0 either. Default: ${DEFAULT-VALUE}")
    int channels;

    @Option(names = "--date", paramLabel = "yyyy-MM-dd", description = "Logical date of the batch (its quarantine rows' logical_date). Default: today (UTC)")
    String date;

    @Option(names = "--allow-outside", description = "Read manifest paths outside the manifest's folder (absolute paths, '..', other URIs)")
    boolean allowOutside;

    private Domain domain;
    private java.time.LocalDate logicalDate;

    @Override
    protected void validate() {
        domain = domainName == null ? null : Domain.parse(domainName);
        if (!java.util.List.of("csv", "parquet", "images").contains(format)) {
            throw new IllegalArgumentException("--format must be csv, parquet or images, got '" + format + "'");
        }
        if (!mode.equals("append") && !mode.equals("overwrite")) {
            throw new IllegalArgumentException("--mode must be append or overwrite, got '" + mode + "'");
        }
        if (table == null) {
            if (domain == null) {
                throw new IllegalArgumentException("give --table or --domain");
            }
            table = domain.rawTable();
        }
        if (key == null) {
            key = domain != null ? domain.entityKey() : "id";
        }
        new ImageCheck(maxImageBytes, 8, maxImageSide, channels);
        logicalDate = DateOption.parseOrToday("--date", date);
    }

    @Override
    protected int run(Lake lake) {
        IngestJob.Batch batch = new IngestJob.Batch(RunIds.next(), logicalDate, allowOutside);
        String src = source.contains(":") ? source : Lake.normaliseRoot(source);
        IngestJob.Outcome o;
        if (format.equals("images")) {
            o = IngestJob.images(lake, src, table, key, pathColumn, new ImageCheck(maxImageBytes, 8, maxImageSide, channels), mode, batch);
        } else {
            StructType schema = domain != null && format.equals("csv") ? domain.rawSchema() : null;
            o = IngestJob.tabular(lake, src, format, table, schema, key, mode, batch);
        }
        out.printf("ingested %s → %s: %,d read = %,d landed + %,d quarantined in %.1f s (Delta version %d)%n", source, o.table(), o.read(), o.landed(),
                o.quarantined(), o.seconds(), o.version());
        return 0;
    }
}
