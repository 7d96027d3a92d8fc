package io.fedlake.cli;

import io.fedlake.lake.Lake;
import io.fedlake.lake.TableMaintenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "maintain", mixinStandardHelpOptions = true,
        description = {"OPTIMIZE a lake table (Z-order with --zorder) and, with --vacuum, VACUUM it.",
                "The VACUUM retention is raised so that every table version a registered model was trained on stays readable."})
final class MaintainCommand extends SparkCommand {

    @Option(names = "--table", required = true, split = ",", paramLabel = "SCHEMA.TABLE", description = "Tables to maintain (comma-separated)")
    List<String> tables;

    @Option(names = "--zorder", split = ",", paramLabel = "COLUMN", description = "Z-order by these columns (each table must have them)")
    List<String> zOrder = new ArrayList<>();

    @Option(names = "--vacuum", description = "VACUUM after OPTIMIZE")
    boolean vacuum;

    @Option(names = "--retain-hours", defaultValue = "168", description = "VACUUM retention in hours (≥ 168); raised to protect registered training versions. Default: ${DEFAULT-VALUE}")
    long retainHours;

    @Override
    protected void validate() {
        if (retainHours < TableMaintenance.MIN_RETAIN_HOURS) {
            throw new IllegalArgumentException("--retain-hours must be ≥ " + TableMaintenance.MIN_RETAIN_HOURS + " (Delta's safe minimum), got " + retainHours);
        }
        if (!vacuum && retainHours != TableMaintenance.MIN_RETAIN_HOURS) {
            throw new IllegalArgumentException("--retain-hours applies to --vacuum only");
        }
    }

    @Override
    protected int run(Lake lake) {
        for (String t : tables) {
            TableMaintenance.Outcome o = TableMaintenance.run(lake, t.trim(), zOrder, vacuum, retainHours);
            out.printf("maintained %s: optimize%s v%d → v%d (%,d files compacted)%s%n", o.table(), zOrder.isEmpty() ? "" : " zorder " + zOrder,
                    o.versionBefore(), o.versionAfter(), o.filesRemovedByOptimize(),
                    !o.vacuumed() ? "" : ", vacuum retaining " + o.retainHours() + " h"
                            + (o.protectedVersion() == null ? "" : " (keeps v" + o.protectedVersion() + ", a registered model's training data)"));
        }
        return 0;
    }
}
