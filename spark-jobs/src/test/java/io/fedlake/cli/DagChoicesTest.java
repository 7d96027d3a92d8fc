package io.fedlake.cli;

import io.fedlake.train.Regimes;
import io.fedlake.train.federated.Strategies;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training DAG offers regimes and strategies as Param enums, which Airflow checks before a run starts; a DAG
 * cannot ask the JVM at parse time. These enums must be exactly what this build registers, so a regime or strategy
 * added (or removed) here fails this test until the DAG offers it too.
 */
class DagChoicesTest {

    private static final Path DAG = Path.of("..", "airflow-dags", "fedlake_training.py");

    private static List<String> enumOf(String param) throws IOException {
        Matcher m = Pattern.compile("\"" + param + "\": Param\\([^\\n]*?enum=\\[([^\\]]*)\\]").matcher(Files.readString(DAG));
        assertTrue(m.find(), "no enum for Param " + param + " in " + DAG);
        return Arrays.stream(m.group(1).split(",")).map(s -> s.trim().replace("\"", "")).sorted().toList();
    }

    @Test
    void theTrainingDagOffersExactlyTheRegisteredRegimesAndStrategies() throws IOException {
        assertEquals(Regimes.names(), enumOf("credit_regime"));
        assertEquals(Strategies.names(), enumOf("strategy"));
    }
}
