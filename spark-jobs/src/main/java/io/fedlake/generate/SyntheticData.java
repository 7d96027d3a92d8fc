package io.fedlake.generate;

import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Generates a domain's synthetic raw table on the executors, in parallel, straight into Delta: the driver
 * never holds the rows. Each row depends only on (seed, row id), so the same seed gives the same table whatever
 * the partitioning.
 */
public final class SyntheticData {

    private SyntheticData() {
    }

    public record Result(String table, String path, long rows, long version, double seconds) {
    }

    /** The generated rows as a lazy Dataset (no action is run). */
    public static Dataset<Row> rows(org.apache.spark.sql.SparkSession spark, Domain domain, long rows, int partitions, long seed) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be ≥ 1, got " + rows);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be ≥ 1, got " + partitions);
        }
        StructType schema;
        MapFunction<Long, Row> gen;
        switch (domain) {
            case CREDIT -> {
                CreditGenerator g = new CreditGenerator(seed);
                schema = CreditGenerator.SCHEMA;
                gen = g::row;
            }
            case IMAGING -> {
                ImagingGenerator g = new ImagingGenerator(seed);
                schema = ImagingGenerator.SCHEMA;
                gen = g::row;
            }
            case DEFECT -> {
                DefectGenerator g = new DefectGenerator(seed);
                schema = DefectGenerator.SCHEMA;
                gen = g::row;
            }
            default -> throw new IllegalStateException("no generator for " + domain);
        }
        return spark.range(0, rows, 1, partitions).map(gen, Encoders.row(schema));
    }

    /** Replaces the domain's raw table with {@code rows} generated rows; the commit carries the run id. */
    public static Result generate(Lake lake, Domain domain, long rows, int partitions, long seed, String runId) {
        long t0 = System.nanoTime();
        String path = lake.pathOf(domain.rawTable());
        rows(lake.spark(), domain, rows, partitions, seed).write().format("delta").mode("overwrite")
                .option("overwriteSchema", "true").option("userMetadata", runId).save(path);
        long version = lake.version(domain.rawTable());
        return new Result(domain.rawTable(), path, rows, version, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Where the planted finding of a generated image row is (the lesions of an imaging study, the defect of an
     * inspection), as a row-major mask over the image; all false for a negative row. This is the ground truth that
     * image explanations are checked against.
     *
     * @param key the row's key as generated ({@code IMG-…} or {@code INS-…})
     */
    public static boolean[] plantedMask(Domain domain, long seed, String key) {
        long id = Long.parseLong(key.substring(key.indexOf('-') + 1));
        return switch (domain) {
            case IMAGING -> new ImagingGenerator(seed).lesionMask(id);
            case DEFECT -> new DefectGenerator(seed).defectMask(id);
            default -> throw new IllegalArgumentException(domain.id() + " rows carry no image");
        };
    }

    /** A partition count that keeps tasks around 50k tabular rows or 5k images. */
    public static int defaultPartitions(Domain domain, long rows, int parallelism) {
        long perTask = domain == Domain.CREDIT ? 50_000 : 5_000;
        return (int) Math.max(parallelism, Math.min(4_000, (rows + perTask - 1) / perTask));
    }
}
