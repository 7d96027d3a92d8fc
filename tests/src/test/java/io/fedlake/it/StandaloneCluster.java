package io.fedlake.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on loopback, started and stopped by {@code tests/bin/spark-cluster.sh} (one master and
 * {@code workers} workers, each its own JVM, work dirs and logs under {@code dir}). {@link #close} stops it, and so
 * does a shutdown hook if the test JVM ends first.
 */
final class StandaloneCluster implements AutoCloseable {

    static final Path SCRIPT = SparkSubmit.ROOT.resolve("tests/bin/spark-cluster.sh");

    final Path dir;
    final String master;
    private final Thread hook;

    private StandaloneCluster(Path dir, String master) {
        this.dir = dir;
        this.master = master;
        this.hook = new Thread(this::stop, "stop spark cluster " + dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static StandaloneCluster start(Path dir, int workers, int cores, String memory) throws IOException, InterruptedException {
        SparkSubmit.sparkHome();                           // installs the distribution once (the script would too)
        String out = script("start", dir.toString(), String.valueOf(workers), String.valueOf(cores), memory);
        return new StandaloneCluster(dir, out.lines().reduce((a, b) -> b).orElseThrow());
    }

    /** The spark-submit arguments of an application on this cluster: 1 core and 1 GiB per executor, {@code cores} in all. */
    List<String> submitArgs(int cores) {
        return new ArrayList<>(List.of("--master", master, "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.cores.max=" + cores));
    }

    /** The workers (1-based) running an executor of the newest application: those with its folder in their work dir. */
    List<Integer> workersOfNewestApp() throws IOException {
        java.util.TreeMap<String, List<Integer>> apps = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> workers = java.nio.file.Files.list(dir)) {
            for (Path w : workers.filter(p -> p.getFileName().toString().matches("worker-\\d+") && java.nio.file.Files.isDirectory(p)).toList()) {
                int n = Integer.parseInt(w.getFileName().toString().substring("worker-".length()));
                try (java.util.stream.Stream<Path> a = java.nio.file.Files.list(w)) {
                    a.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("app-"))
                            .forEach(app -> apps.computeIfAbsent(app, k -> new ArrayList<>()).add(n));
                }
            }
        }
        return apps.isEmpty() ? List.of() : apps.lastEntry().getValue().stream().sorted().toList();
    }

    void killWorker(int i) throws IOException, InterruptedException {
        script("kill-worker", dir.toString(), String.valueOf(i));
    }

    private void stop() {
        try {
            script("stop", dir.toString());
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the cluster under " + dir + ": " + e);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static String script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SPARK_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("tests/bin/spark-cluster.sh " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }
}
