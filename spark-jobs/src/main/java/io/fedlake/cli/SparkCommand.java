package io.fedlake.cli;

import io.fedlake.lake.Lake;
import io.fedlake.lake.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * Base of every command that needs Spark: validates its arguments first (a bad argument is a usage error, exit 2,
 * before any Spark start-up), then runs with one SparkSession on the configured lake and stops it.
 */
abstract class SparkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    protected final ConsoleOut out = ConsoleOut.stdout();

    /** Checks arguments and builds the command's configuration; throw IllegalArgumentException for a bad one. */
    protected abstract void validate();

    protected abstract int run(Lake lake);

    protected GlobalOptions global() {
        return ((Fedlake) spec.root().userObject()).global;
    }

    @Override
    public final Integer call() {
        try {
            validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        java.util.Map<String, String> profile = java.util.Map.of();
        if (global().profile != null) {
            try {
                profile = io.fedlake.lake.SparkProfile.load(global().profile).settings();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
        java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();
        try {
            // Session catalog entries (fedlake sql) stay under the lake, not in the working directory.
            conf.put("spark.sql.warehouse.dir", io.fedlake.lake.Lake.normaliseRoot(global().lake) + "/_warehouse");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad --lake: " + e.getMessage(), e);
        }
        conf.putAll(global().conf);
        ConsoleLogging.configure(global().verbose);
        try (SparkSession spark = SparkSessions.create("fedlake " + spec.name(), global().master, profile, conf)) {
            Lake lake;
            try {
                lake = new Lake(spark, global().lake);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "bad --lake: " + e.getMessage(), e);
            }
            if (global().quiet) {
                return run(lake);
            }
            try (ProgressLine progress = ProgressLine.start(spec.qualifiedName(" ").replaceFirst("^fedlake ", ""), spark.sparkContext())) {
                return run(lake);
            }
        }
    }
}
