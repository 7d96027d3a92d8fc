package io.fedlake.cli;

import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a seeded synthetic raw table (raw.credit, raw.imaging or raw.defect) in parallel on Spark, replacing it.")
final class GenerateCommand extends SparkCommand {

    @Option(names = "--domain", required = true, description = "credit, imaging or defect")
    String domainName;

    @Option(names = "--rows", description = "Rows to generate. Default: 50000 for credit, 5000 for images")
    Long rows;

    @Option(names = "--partitions", description = "Spark partitions (tasks). Default: about 50k tabular rows or 5k images per task")
    Integer partitions;

    private Domain domain;

    @Override
    protected void validate() {
        domain = Domain.parse(domainName);
        if (rows == null) {
            rows = domain == Domain.CREDIT ? 50_000L : 5_000L;
        }
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be ≥ 1, got " + rows);
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be ≥ 1, got " + partitions);
        }
    }

    @Override
    protected int run(Lake lake) {
        int p = partitions != null ? partitions : SyntheticData.defaultPartitions(domain, rows, lake.spark().sparkContext().defaultParallelism());
        SyntheticData.Result r = SyntheticData.generate(lake, domain, rows, p, global().seed, RunIds.next());
        out.printf("generated %s: %,d rows in %d partitions, %.1f s → %s (Delta version %d)%n", r.table(), r.rows(), p, r.seconds(),
                r.path(), r.version());
        return 0;
    }
}
