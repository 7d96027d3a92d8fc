package io.fedlake.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fedlake's console: whole lines on stdout, a quiet log on stderr unless the user asked otherwise. */
class ConsoleOutputTest {

    /** Records each write that reaches the file descriptor's level: what another process writing the same file sees. */
    static final class Writes extends OutputStream {
        final List<String> chunks = new ArrayList<>();

        @Override
        public void write(int b) {
            chunks.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            chunks.add(new String(b, off, len, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFormattedLineReachesTheStreamInOneWrite() {
        Writes writes = new Writes();
        ConsoleOut out = new ConsoleOut(new PrintStream(writes, false, StandardCharsets.UTF_8));

        out.printf(Locale.ROOT, "scored %s for %s: %,d read = %,d scored + %,d quarantined in %.1f s%n", "raw.credit", "2025-03-14", 8, 8, 0, 10.2);
        out.println("rows read 10,000 | scored 2,000");

        assertEquals(List.of("scored raw.credit for 2025-03-14: 8 read = 8 scored + 0 quarantined in 10.2 s" + System.lineSeparator(),
                "rows read 10,000 | scored 2,000" + System.lineSeparator()), writes.chunks);
    }

    @Test
    void quietsSparksDefaultProfileAndVerboseGivesItBackButLeavesAUsersConfigurationAlone() throws Exception {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        URI testConfig = URI.create(context.getConfiguration().getConfigurationSource().getURI().toString());
        assertTrue(testConfig.toString().endsWith("log4j2-test.properties"), testConfig.toString());
        try {
            assertEquals(ConsoleLogging.Outcome.USER_CONFIGURATION, ConsoleLogging.configure(false), "the test's own log4j2-test.properties is a user's choice");
            assertEquals(testConfig.toString(), context.getConfiguration().getConfigurationSource().getURI().toString());

            // What spark-submit leaves behind when no log4j2.properties is on its classpath: Spark's INFO profile.
            URI sparkDefaults = getClass().getClassLoader().getResource(ConsoleLogging.SPARK_DEFAULTS).toURI();
            context.setConfigLocation(sparkDefaults);
            assertEquals(Level.INFO, LogManager.getRootLogger().getLevel());

            assertEquals(ConsoleLogging.Outcome.QUIETED, ConsoleLogging.configure(false));
            assertEquals(Level.WARN, LogManager.getRootLogger().getLevel());
            assertEquals(Level.WARN, LogManager.getLogger("org.apache.spark.scheduler.DAGScheduler").getLevel());
            assertEquals(Level.INFO, LogManager.getLogger("io.fedlake.score.ScoringJob").getLevel());
            assertTrue(org.slf4j.LoggerFactory.getLogger(io.fedlake.score.ScoringJob.class).isInfoEnabled(), "Fedlake's own INFO lines through slf4j");
            assertTrue(!org.slf4j.LoggerFactory.getLogger(org.apache.spark.SparkContext.class).isInfoEnabled(), "Spark's are not");
            assertEquals(Level.ERROR, LogManager.getLogger("org.apache.hadoop.util.NativeCodeLoader").getLevel());
            assertEquals(ConsoleLogging.Outcome.ALREADY, ConsoleLogging.configure(false));

            assertEquals(ConsoleLogging.Outcome.SPARK_INFO, ConsoleLogging.configure(true));
            assertEquals(Level.INFO, LogManager.getRootLogger().getLevel());
            assertNotNull(ConsoleLogging.locationOf(context.getConfiguration()));
            assertTrue(ConsoleLogging.locationOf(context.getConfiguration()).endsWith(ConsoleLogging.SPARK_DEFAULTS));
        } finally {
            context.setConfigLocation(testConfig);
        }
    }
}
