package io.fedlake.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the shaded application jar through a real {@code spark-submit} from the Spark 3.5.5 distribution that
 * {@code tests/bin/spark-dist.sh} installs (the pyspark wheel), bound to loopback.
 */
final class SparkSubmit {

    /**
     * A finished spark-submit: Fedlake's own lines are on {@code stdout}, the log (Spark's, Fedlake's) on
     * {@code stderr}. They are read apart, so a log line can never land inside a summary line being asserted on.
     */
    record Result(int code, String stdout, String stderr) {
        /** The last stdout line starting with {@code prefix}, or fails with the output. */
        String line(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + tail()));
        }

        /** Log lines at {@code level} (INFO, WARN, ERROR) that the run wrote to stderr. */
        List<String> logLines(String level) {
            Pattern p = Pattern.compile("^[\\d/]*\\s?\\d\\d:\\d\\d:\\d\\d " + level + " ");
            return stderr.lines().filter(l -> p.matcher(l).find()).toList();
        }

        /** All of stdout and the end of stderr, for a failure message. */
        String tail() {
            List<String> lines = stderr.lines().toList();
            return "stdout:\n" + stdout + "\nstderr (last 60 lines):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    static final Path ROOT = Path.of(System.getProperty("fedlake.root", "..")).toAbsolutePath().normalize();
    static final Path APP_JAR = Path.of(System.getProperty("fedlake.app.jar", "../spark-jobs/target/fedlake-spark-jobs-0.1.0-SNAPSHOT-app.jar"));
    static final Path DELTA_JARS = Path.of(System.getProperty("fedlake.delta.jars", "../spark-jobs/target/delta-jars"));

    private static String sparkHome;

    /** Installs (once) and returns the Spark distribution's home. */
    static synchronized String sparkHome() throws IOException, InterruptedException {
        if (sparkHome == null) {
            Process p = new ProcessBuilder("bash", ROOT.resolve("tests/bin/spark-dist.sh").toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("tests/bin/spark-dist.sh failed (exit " + p.exitValue() + ")");
            }
            sparkHome = out.lines().reduce((a, b) -> b).orElseThrow();
        }
        return sparkHome;
    }

    static Result run(Path workDir, String... fedlakeArgs) throws IOException, InterruptedException {
        return run(workDir, List.of(), List.of(), java.util.Map.of(), fedlakeArgs);
    }

    /**
     * As {@link #run(Path, String...)} with more {@code --jars} (after Delta's), more spark-submit arguments (after the
     * defaults, so a {@code --master} there wins) and more environment variables for spark-submit.
     */
    static Result run(Path workDir, List<String> extraJars, List<String> submitArgs, java.util.Map<String, String> env, String... fedlakeArgs)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(APP_JAR)) {
            throw new IllegalStateException("no application jar at " + APP_JAR + "; run 'mvn package' first");
        }
        String deltaJars;
        try (Stream<Path> s = Files.list(DELTA_JARS)) {
            deltaJars = s.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().collect(Collectors.joining(","));
        }
        if (!extraJars.isEmpty()) {
            deltaJars += "," + String.join(",", extraJars);
        }
        List<String> cmd = new ArrayList<>(List.of(sparkHome() + "/bin/spark-submit",
                "--master", "local[2]",
                "--driver-memory", "2g",
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false",
                "--jars", deltaJars));
        cmd.addAll(submitArgs);
        cmd.addAll(List.of("--class", "io.fedlake.cli.Fedlake", APP_JAR.toString()));
        cmd.addAll(Arrays.asList(fedlakeArgs));
        File out = Files.createTempFile("spark-submit", ".out").toFile();
        File err = Files.createTempFile("spark-submit", ".err").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectOutput(out).redirectError(err);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SPARK_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("spark-submit did not finish in 10 minutes: " + cmd);
        }
        Result result = new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
        out.delete();
        err.delete();
        return result;
    }
}
