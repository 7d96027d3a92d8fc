package io.fedlake.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Airflow DAGs' own tests (pytest in airflow-dags/tests) in a real Airflow 3 installed by
 * airflow-dags/bin/airflow-venv.sh, with the end-to-end DAG runs submitting this build's shaded jar to the Spark 3.5.5
 * distribution the other integration tests use. Part of README's test command, so CI runs them.
 */
class AirflowDagsIT {

    @Test
    void dagTestsPassInARealAirflow() throws Exception {
        String deltaJars;
        try (Stream<Path> s = Files.list(SparkSubmit.DELTA_JARS)) {
            deltaJars = s.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().collect(Collectors.joining(","));
        }
        // Written to a file, not inherited: a child writing to the forked test JVM's own stdout corrupts Failsafe's channel
        // and its output ends up in a .dumpstream file instead of the build log.
        Path log = Files.createDirectories(Path.of("target")).resolve("airflow-dags-pytest.log");
        ProcessBuilder pb = new ProcessBuilder("bash", SparkSubmit.ROOT.resolve("airflow-dags/bin/test.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", SparkSubmit.sparkHome());
        pb.environment().put("FEDLAKE_APP_JAR", SparkSubmit.APP_JAR.toAbsolutePath().toString());
        pb.environment().put("FEDLAKE_DELTA_JARS", deltaJars);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        boolean finished = p.waitFor(45, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        System.out.println("airflow-dags pytest (full output in " + log.toAbsolutePath() + "):\n" + tail);
        assertTrue(finished, "the DAG tests did not finish in 45 minutes:\n" + tail);
        assertEquals(0, p.exitValue(), "pytest in airflow-dags failed:\n" + tail);
    }
}
