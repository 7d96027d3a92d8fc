package io.fedlake.cli;

import io.fedlake.core.UserError;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;

/** {@code fedlake models list|show|promote|verify}: the model registry from the command line. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Inspect, verify and promote registered models.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Promote.class, ModelsCommand.Verify.class})
final class ModelsCommand implements Runnable {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: list, show, promote or verify");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every registered version with its aliases and holdout metrics, newest first.")
    static final class ListModels extends SparkCommand {
        @Option(names = "--name", description = "Only this model")
        String name;

        @Override
        protected void validate() {
        }

        @Override
        protected int run(Lake lake) {
            List<Row> rows = new ModelRegistry(lake).list().collectAsList();
            out.printf("%-16s %7s  %-20s %-22s %8s  %s%n", "name", "version", "aliases", "registered_at", "auc", "sha256");
            for (Row r : rows) {
                if (name != null && !name.equals(r.getAs("name"))) {
                    continue;
                }
                Map<String, Double> metrics = r.isNullAt(r.fieldIndex("metrics")) ? Map.of() : r.getJavaMap(r.fieldIndex("metrics"));
                Double auc = metrics.get("holdout_auc");
                Double rmse = metrics.get("holdout_rmse"); // a regression has no AUC
                String aliases = r.getAs("aliases");
                out.printf("%-16s %7d  %-20s %-22s %8s  %s%n", r.<String>getAs("name"), r.<Long>getAs("version"), aliases == null ? "" : aliases,
                        r.getAs("registered_at").toString(), auc != null ? String.format("%.4f", auc) : rmse != null ? String.format("rmse %.4g", rmse) : "", r.<String>getAs("sha256").substring(0, 12));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a version's metadata document (provenance, metrics, checksums).")
    static final class Show extends LoadedModelCommand {
        @Override
        protected int run(ModelFiles.LoadedModel m) {
            try {
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m.version().metadata()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Move an alias to a version, only if its metric is not worse than the alias's current version by more than a tolerance.")
    static final class Promote extends SparkCommand {
        @Parameters(paramLabel = "NAME:VERSION")
        String reference;

        @Option(names = "--alias", defaultValue = "champion", description = "Alias to move. Default: ${DEFAULT-VALUE}")
        String alias;

        @Option(names = "--metric", defaultValue = "holdout_auc", description = "Gate metric. Default: ${DEFAULT-VALUE}")
        String metric;

        @Option(names = "--tolerance", defaultValue = "0.005", description = "How much worse than the incumbent is acceptable. Default: ${DEFAULT-VALUE}")
        double tolerance;

        @Option(names = "--lower-is-better", description = "The metric improves downwards (e.g. holdout_log_loss)")
        boolean lowerIsBetter;

        @Option(names = "--check-only", description = "Evaluate the gate and print 'gate passed: …' or 'gate refused: …' (exit 0 either way); move nothing")
        boolean checkOnly;

        @Override
        protected void validate() {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("--tolerance must be ≥ 0, got " + tolerance);
            }
            if (!alias.matches("[a-z][a-z0-9_-]*")) {
                throw new IllegalArgumentException("--alias must be lower-case letters, digits, '-' or '_', got '" + alias + "'");
            }
        }

        @Override
        protected int run(Lake lake) {
            ModelRegistry.Promotion p = new ModelRegistry(lake).promote(reference, alias, metric, tolerance, !lowerIsBetter, checkOnly);
            if (checkOnly) {
                out.println(p.promoted() ? "gate passed: " + p.message() : "gate " + p.message());
                return 0;
            }
            if (!p.promoted()) {
                throw new UserError(p.message());
            }
            out.println("promoted " + p.message());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {"Verify a version's signature (when FEDLAKE_SIGNING_KEY is set), checksums, registry row and zip entries,",
            "then load it; exit 1 if anything is off. Prints 'unsigned' when no key is configured."})
    static final class Verify extends LoadedModelCommand {
        @Override
        protected int run(ModelFiles.LoadedModel m) {
            io.fedlake.zoo.artifact.NetworkBytes.fromBytes(m.networkBytes());
            out.printf("ok %s:%s %s sha256 %s (%,d bytes, %d inputs, %d outputs) at %s%n", m.version().name(), m.version().version(), m.signature(),
                    m.version().sha256(), m.networkBytes().length, m.preprocessing().modelSpec().inputs().size(), m.preprocessing().outputs().size(), m.version().uri());
            return 0;
        }
    }

    /** A command about one registered version, loaded (and so checksum-verified) before it runs. */
    abstract static class LoadedModelCommand extends SparkCommand {
        @Parameters(paramLabel = "NAME[:VERSION|@ALIAS]")
        String reference;

        @Override
        protected void validate() {
        }

        @Override
        protected final int run(Lake lake) {
            return run(new ModelRegistry(lake).load(reference));
        }

        protected abstract int run(ModelFiles.LoadedModel model);
    }
}
