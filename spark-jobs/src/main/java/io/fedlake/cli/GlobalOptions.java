package io.fedlake.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options every command accepts (before or after the command name). */
public final class GlobalOptions {

    @Option(names = "--lake", scope = ScopeType.INHERIT, paramLabel = "URI", defaultValue = "${env:FEDLAKE_LAKE:-./lakehouse}",
            description = "Lake root: a path or any Hadoop URI (file:, hdfs:, s3a:). Default: ${DEFAULT-VALUE}")
    String lake;

    @Option(names = "--master", scope = ScopeType.INHERIT, paramLabel = "MASTER",
            description = "Spark master, e.g. local[2] or spark://127.0.0.1:7077. Default: spark-submit's, else local[*]")
    String master;

    @Option(names = "--seed", scope = ScopeType.INHERIT, defaultValue = "42", description = "Seed for data, splits and training. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Spark profile of gpu-config/ (cpu-local, gpu-standalone, gpu-yarn, gpu-k8s) or a path to a .conf file; "
                    + "applied under spark-submit's settings and --conf")
    String profile;

    @Option(names = "--conf", scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE", description = "Spark configuration, repeatable")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "No progress line (on a terminal: one live line; elsewhere: a log line every 10 s)")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Show stack traces on errors and Spark's full INFO log")
    boolean verbose;
}
