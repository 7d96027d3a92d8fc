package io.fedlake.cli;

import io.fedlake.lake.Lake;
import io.fedlake.preset.Domain;
import io.fedlake.report.ModelReport;
import io.fedlake.report.ScoresReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a self-contained HTML report with charts under <lake>/reports/ and print its path.",
                "--model NAME[:VERSION|@ALIAS]: validation report of a registered model (provenance, training curves, holdout ROC/PR/calibration/confusion, per client, scoring and drift).",
                "--scores DOMAIN --date D: one scored date (counts reconciled, quarantine reasons, decisions, scores against the training holdout, drift)."})
final class ReportCommand extends SparkCommand {

    @Option(names = "--model", paramLabel = "NAME[:VERSION|@ALIAS]", description = "Registered model to report on (latest version without :VERSION)")
    String model;

    @Option(names = "--scores", paramLabel = "DOMAIN", description = "Domain whose scores of --date to report on: credit, imaging, defect")
    String scores;

    @Option(names = "--date", description = "Logical date (yyyy-MM-dd) of --scores")
    String dateText;

    @Option(names = "--all-dates", description = "With --scores: the date was scored with score --all-dates (every input row), so "
            + "its counts reconcile against the whole input, as reconcile --all-dates does")
    boolean allDates;

    private Domain domain;
    private LocalDate date;

    @Override
    protected void validate() {
        if ((model == null) == (scores == null)) {
            throw new IllegalArgumentException("give exactly one of --model NAME[:VERSION|@ALIAS] or --scores DOMAIN --date D");
        }
        if (model != null && (dateText != null || allDates)) {
            throw new IllegalArgumentException((allDates ? "--all-dates" : "--date")
                    + " applies to --scores, not to --model (the model report covers its latest scoring dates)");
        }
        if (scores != null) {
            domain = Domain.parse(scores);
            if (dateText == null) {
                throw new IllegalArgumentException("--scores needs --date yyyy-MM-dd");
            }
            date = DateOption.parse("--date", dateText);
        }
    }

    @Override
    protected int run(Lake lake) {
        ConsoleOut err = new ConsoleOut(System.err);
        java.util.function.Consumer<String> progress = step -> err.println("report: " + step);
        if (model != null) {
            ModelReport.Written w = ModelReport.write(lake, model, progress);
            out.printf("report of %s (%d charts, holdout AUC %.6f recomputed, %.6f registered): %s%n", w.model(), w.images(), w.recomputedAuc(),
                    w.registeredAuc(), w.path());
        } else {
            ScoresReport.Written w = ScoresReport.write(lake, domain, date, allDates, progress);
            out.printf("report of %s for %s (%d charts, %,d scored + %,d quarantined, %s): %s%n", domain.scoresTable(), date, w.images(), w.scored(),
                    w.quarantined(), w.reconciles() ? "reconciles" : "DOES NOT RECONCILE", w.path());
        }
        return 0;
    }
}
