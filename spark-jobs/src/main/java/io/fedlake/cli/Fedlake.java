package io.fedlake.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;

/**
 * The Fedlake command line. Exit codes: 0 success, 1 failure (one-line message; stack trace with --verbose),
 * 2 usage error.
 */
@Command(name = "fedlake", mixinStandardHelpOptions = true, versionProvider = Fedlake.Version.class,
        description = "Train neural networks where the data lives and batch-score into Delta, on Apache Spark.",
        subcommands = {PipelineCommand.class, GenerateCommand.class, TrainCommand.class, ScoreCommand.class, ModelsCommand.class, SqlCommand.class, IngestCommand.class, FeaturesCommand.class,
                ReconcileCommand.class, MaintainCommand.class, GpuCheckCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class Fedlake implements Runnable {

    @Mixin
    GlobalOptions global;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (no System.exit), for tests and embedding. */
    public static int execute(String... args) {
        Fedlake root = new Fedlake();
        CommandLine cl = new CommandLine(root);
        cl.setParameterExceptionHandler((e, argv) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("fedlake: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            if (root.global != null && root.global.verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return 2;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("fedlake: error: " + ErrorText.oneLine(e));
            if (root.global.verbose) {
                e.printStackTrace(err);
            } else if (!(ErrorText.userCause(e) != null)) {
                err.println("(rerun with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            java.util.Map<String, String> info = io.fedlake.registry.BuildInfo.describe("n/a");
            return new String[]{"fedlake " + info.get("fedlake.version") + " (Spark " + info.get("spark.version") + ", Delta "
                    + info.get("delta.version") + ", DL4J " + info.get("dl4j.version") + ")"};
        }
    }
}
