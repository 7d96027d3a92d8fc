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

    /**
     * As {@link #run(Path, List, List, java.util.Map, String...)} in standalone cluster deploy mode: the driver runs in
     * a worker of the cluster under {@code clusterDir} ({@code tests/bin/spark-cluster.sh}); spark-submit waits for
     * it, and the result is the driver's own stdout and stderr from the worker's work dir, with exit code 0 only
     * when the master reports the driver FINISHED. The driver gets the JDK 17 module flags that spark-submit gives a
     * client-mode driver by itself ({@code spark.driver.extraJavaOptions}).
     */
    static Result runInCluster(Path workDir, Path clusterDir, String master, List<String> submitArgs, String... fedlakeArgs)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--master", master, "--deploy-mode", "cluster",
                "--conf", "spark.standalone.submit.waitAppCompletion=true",
                "--conf", "spark.driver.extraJavaOptions=" + Files.readString(JVM_FLAGS).strip()));
        args.addAll(submitArgs);
        Result submit = run(workDir, List.of(), args, java.util.Map.of(), fedlakeArgs);
        java.util.regex.Matcher id = Pattern.compile("Driver successfully submitted as (driver-\\S+)").matcher(submit.stderr());
        if (submit.code() != 0 || !id.find()) {
            return submit;
        }
        Path driverDir;
        try (Stream<Path> workers = Files.list(clusterDir)) {
            driverDir = workers.map(w -> w.resolve(id.group(1))).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no work dir of " + id.group(1) + " under " + clusterDir + "\n" + submit.tail()));
        }
        boolean finished = submit.stderr().contains("State of driver " + id.group(1) + " is FINISHED");
        return new Result(finished ? 0 : 1, Files.readString(driverDir.resolve("stdout")), Files.readString(driverDir.resolve("stderr")));
    }

    /** The JVM flags Spark needs on JDK 17, written by the build for ./fedlake. */
    static final Path JVM_FLAGS = Path.of(System.getProperty("fedlake.jvm.flags", "../spark-jobs/target/launcher/jvm-flags.txt"));

    static Result run(Path workDir, String... fedlakeArgs) throws IOException, InterruptedException {
        return run(workDir, List.of(), List.of(), java.util.Map.of(), fedlakeArgs);
    }

    /**
     * As {@link #run(Path, String...)} with more {@code --jars} (after Delta's), more spark-submit arguments (after the
     * defaults, so a {@code --master} there wins) and more environment variables for spark-submit.
     */
    static Result run(Path workDir, List<String> extraJars, List<String> submitArgs, java.util.Map<String, String> env, String... fedlakeArgs)
            throws IOException, InterruptedException {
        return start(workDir, extraJars, submitArgs, env, fedlakeArgs).await();
    }

    /** A spark-submit still running: its stdout so far can be read while it runs (to act in the middle of a job). */
    static final class Running {
        private final Process process;
        private final File out;
        private final File err;
        private final List<String> cmd;

        private Running(Process process, File out, File err, List<String> cmd) {
            this.process = process;
            this.out = out;
            this.err = err;
            this.cmd = cmd;
        }

        /** Waits until a stdout line matches {@code regex} (true), or the process ended or the time ran out (false). */
        boolean awaitLine(String regex, long seconds) throws IOException, InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (Files.readString(out.toPath()).lines().anyMatch(l -> p.matcher(l).find())) {
                    return true;
                }
                if (!process.isAlive()) {
                    return false;
                }
                Thread.sleep(200);
            }
            return false;
        }

        boolean alive() {
            return process.isAlive();
        }

        /** SIGKILL, as a crashed machine or {@code kill -9}: no shutdown hook runs. Returns what it wrote until then. */
        Result kill() throws IOException, InterruptedException {
            process.destroyForcibly();
            return await();
        }

        Result await() throws IOException, InterruptedException {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("spark-submit did not finish in 10 minutes: " + cmd);
            }
            Result result = new Result(process.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
            out.delete();
            err.delete();
            return result;
        }
    }

    /** Starts a spark-submit as {@link #run(Path, List, List, java.util.Map, String...)} does, without waiting for it. */
    static Running start(Path workDir, List<String> extraJars, List<String> submitArgs, java.util.Map<String, String> env, String... fedlakeArgs)
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
        return new Running(pb.start(), out, err, cmd);
    }
}
