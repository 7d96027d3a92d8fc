package io.fedlake.cli;

import io.fedlake.core.UserError;

import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import io.fedlake.score.ScoreLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Check scored dates from the tables: one scoring run owns the date, no duplicate key, input = scored + quarantined; exit 1 if not.",
                "With --publish, a date that reconciles is then marked in published.scores (a rerun replaces the mark)."})
final class ReconcileCommand extends SparkCommand {

    @Option(names = "--domain", split = ",", defaultValue = "credit", paramLabel = "DOMAIN", description = "credit, imaging, defect (comma-separated). Default: ${DEFAULT-VALUE}")
    List<String> domainNames;

    @Option(names = "--date", required = true, description = "Logical date (yyyy-MM-dd)")
    String dateText;

    @Option(names = "--table", description = "Input table the scorer read, when not the domain's raw table (one domain only)")
    String table;

    @Option(names = "--all-dates", description = "The scorer scored every input row (score --all-dates)")
    boolean allDates;

    @Option(names = "--publish", description = "Mark each date that reconciles in published.scores")
    boolean publish;

    private final List<Domain> domains = new ArrayList<>();
    private LocalDate date;

    @Override
    protected void validate() {
        for (String d : domainNames) {
            domains.add(Domain.parse(d.trim()));
        }
        date = DateOption.parse("--date", dateText);
        if (table != null && domains.size() != 1) {
            throw new IllegalArgumentException("--table names the input of one domain; got " + domains.size() + " domains");
        }
    }

    @Override
    protected int run(Lake lake) {
        String runId = RunIds.next();
        List<String> problems = new ArrayList<>();
        for (Domain d : domains) {
            ScoreLedger.Reconciliation r = ScoreLedger.reconcile(lake, d, date, table, allDates);
            if (!r.reconciles()) {
                problems.add(r.problem());
                continue;
            }
            out.printf("reconciled %s for %s: %,d read = %,d scored + %,d quarantined (%s v%d, scoring run %s, scores v%d)%n",
                    d.scoresTable(), date, r.input(), r.scored(), r.quarantined(), r.inputTable(), r.inputVersion(), r.scoringRunId() == null ? "none (no input rows)" : r.scoringRunId(), r.scoresVersion());
            if (publish) {
                long v = ScoreLedger.publish(lake, r, runId);
                out.printf("published %s for %s (scores v%d) → %s v%d%n", d.scoresTable(), date, r.scoresVersion(), ScoreLedger.PUBLISHED_TABLE, v);
            }
        }
        if (!problems.isEmpty()) {
            throw new UserError(String.join("; ", problems));
        }
        return 0;
    }
}
