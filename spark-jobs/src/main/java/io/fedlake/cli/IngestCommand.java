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
        description = {"Land real data in a Delta table: CSV or Parquet files, images in class subfolders (image-folder), or images",
                "described by a manifest CSV (id, path relative to the manifest, optional label, client key and other columns).",
                "Column names with dots, spaces or delimiters are renamed (the mapping is printed and kept with the table); the key,",
                "label, client and image columns are kept as table properties, so train and score need no repeated flags. Invalid records go to",
                "quarantine.<table> with a reason; read = landed + quarantined is checked and printed. Manifest paths must lie",
                "under the manifest's folder (--allow-outside lifts that). Reruns are idempotent: append merges on the key,",
                "overwrite replaces the table, and the batch's quarantine rows (this source, this --date) are replaced."})
final class IngestCommand extends SparkCommand {

    @Option(names = "--source", required = true, paramLabel = "PATH|URI", description = "File or folder (csv, parquet), or the manifest CSV (images)")
    String source;

    @Option(names = "--format", defaultValue = "csv", description = "csv, parquet, image-folder (ROOT/<class>/<file>: the folder names are the labels) "
            + "or images (a manifest CSV). Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--table", description = "Target table, e.g. raw.credit. Default: the domain's raw table")
    String table;

    @Option(names = "--domain", description = "credit, imaging or defect: target table, key and (for CSV) the typed schema of the synthetic tables")
    String domainName;

    @Option(names = "--key", description = "Entity key column (id column of a manifest). Default: the domain's, else 'id'")
    String key;

    @Option(names = "--generate-key", paramLabel = "NAME", description = "csv, parquet: add a key column NAME made from each record's content "
            + "(a hash of its values and its copy number among identical records): the same keys on every rerun, so reruns merge")
    String generateKey;

    @Option(names = "--label", description = "Label column, kept with the table for train")
    String label;

    @Option(names = "--client-column", description = "Federated client column (branch, hospital, plant), kept with the table for train")
    String clientColumn;

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
        if (!java.util.List.of("csv", "parquet", "image-folder", "images").contains(format)) {
            throw new IllegalArgumentException("--format must be csv, parquet, image-folder or images, got '" + format + "'");
        }
        if (generateKey != null && key != null) {
            throw new IllegalArgumentException("give --key COLUMN or --generate-key NAME, not both");
        }
        if (generateKey != null && !format.equals("csv") && !format.equals("parquet")) {
            throw new IllegalArgumentException("--generate-key applies to csv and parquet; --format " + format + " has its own key");
        }
        if (format.equals("image-folder")) {
            java.util.List<String> own = new java.util.ArrayList<>();
            for (String[] o : new String[][]{{"--key", key}, {"--label", label}, {"--path-column", pathColumn.equals("path") ? null : pathColumn},
                    {"--domain", domainName}}) {
                if (o[1] != null) {
                    own.add(o[0]);
                }
            }
            if (!own.isEmpty()) {
                throw new IllegalArgumentException("--format image-folder does not use " + String.join(", ", own)
                        + ": the key is the file's path under the folder and the label its class folder");
            }
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
            key = generateKey != null ? generateKey : domain != null ? domain.entityKey() : "id";
        }
        new ImageCheck(maxImageBytes, 8, maxImageSide, channels);
        logicalDate = DateOption.parseOrToday("--date", date);
    }

    @Override
    protected int run(Lake lake) {
        IngestJob.Batch batch = new IngestJob.Batch(RunIds.next(), logicalDate, allowOutside);
        String src = source.contains(":") ? source : Lake.normaliseRoot(source);
        IngestJob.Outcome o;
        ImageCheck check = new ImageCheck(maxImageBytes, 8, maxImageSide, channels);
        IngestJob.Columns columns = new IngestJob.Columns(key, generateKey != null, label, clientColumn);
        if (format.equals("image-folder")) {
            o = IngestJob.imageFolder(lake, src, table, check, mode, batch);
        } else if (format.equals("images")) {
            o = IngestJob.images(lake, src, table, columns, pathColumn, check, mode, batch);
        } else {
            StructType schema = domain != null && format.equals("csv") ? domain.rawSchema() : null;
            o = IngestJob.tabular(lake, src, format, table, schema, columns, mode, batch);
        }
        if (!o.renamed().isEmpty()) {
            out.printf("renamed %d column(s) to names that work in Spark, SQL and Delta: %s%n", o.renamed().size(),
                    String.join(", ", o.renamed().entrySet().stream().map(e -> "'" + e.getKey() + "' → " + e.getValue()).toList()));
        }
        out.printf("ingested %s → %s: %,d read = %,d landed + %,d quarantined in %.1f s (Delta version %d)%n", source, o.table(), o.read(), o.landed(),
                o.quarantined(), o.seconds(), o.version());
        return 0;
    }
}
