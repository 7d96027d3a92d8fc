package io.fedlake.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.DefaultConfiguration;

import java.net.URISyntaxException;
import java.net.URL;

/**
 * Console logging of a Fedlake process: quiet by default, the full Spark log on request, the user's own
 * configuration untouched.
 *
 * <p>Fedlake prints its own summary lines on stdout; Spark, Hadoop, Delta and DL4J log to stderr. Left alone, a
 * {@code spark-submit} of the application jar logs at INFO (Spark's built-in profile
 * {@value #SPARK_DEFAULTS}, used when no {@code log4j2.properties} is on the launcher's classpath), thousands of lines
 * around a handful of Fedlake's. So when logging is still at one of the built-in defaults (Spark's profile or
 * log4j's own fallback), {@link #configure} installs {@value #FEDLAKE_PROFILE}: WARN for everything, INFO for
 * {@code io.fedlake}. It is applied before the SparkSession starts, so everything the job logs follows it; what
 * spark-submit logged before Fedlake's {@code main} ran (its own start-up) cannot be taken back.
 *
 * <p>Who wins:
 * <ul>
 *   <li>a configuration the user chose (a {@code log4j2.properties} in {@code SPARK_CONF_DIR} or on the classpath,
 *       {@code -Dlog4j2.configurationFile=…}) is never replaced;</li>
 *   <li>{@code --verbose} gives Spark's own INFO profile, the log a plain spark-submit prints;</li>
 *   <li>{@code --conf spark.log.level=INFO} (Spark 3.5+) resets the root level when the SparkContext starts, after
 *       this class ran.</li>
 * </ul>
 */
final class ConsoleLogging {

    /** Spark's built-in profile, loaded by Spark when log4j found no configuration of its own. */
    static final String SPARK_DEFAULTS = "org/apache/spark/log4j2-defaults.properties";

    /** Fedlake's quiet console profile, shipped in the jar under a name no classpath scan picks up by itself. */
    static final String FEDLAKE_PROFILE = "io/fedlake/cli/fedlake-log4j2.properties";

    /** What {@link #configure} did, for tests and {@code --verbose}. */
    enum Outcome { QUIETED, SPARK_INFO, ALREADY, USER_CONFIGURATION }

    private ConsoleLogging() {
    }

    static Outcome configure(boolean verbose) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        String location = locationOf(context.getConfiguration());
        boolean isFedlake = location != null && location.endsWith(FEDLAKE_PROFILE);
        boolean isSpark = location != null && location.endsWith(SPARK_DEFAULTS);
        boolean isBuiltIn = location == null || context.getConfiguration() instanceof DefaultConfiguration;
        if (!isFedlake && !isSpark && !isBuiltIn) {
            return Outcome.USER_CONFIGURATION;
        }
        URL spark = resource(SPARK_DEFAULTS);
        boolean sparkInfo = verbose && spark != null;
        if (sparkInfo ? isSpark : isFedlake) {
            return Outcome.ALREADY;
        }
        URL wanted = sparkInfo ? spark : resource(FEDLAKE_PROFILE);
        if (wanted == null) {
            throw new IllegalStateException("logging profile " + FEDLAKE_PROFILE + " is missing from the classpath");
        }
        try {
            context.setConfigLocation(wanted.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad logging profile location " + wanted, e);
        }
        return sparkInfo ? Outcome.SPARK_INFO : Outcome.QUIETED;
    }

    /** Where the configuration came from (a path or URL), or null for log4j's built-in fallback. */
    static String locationOf(Configuration configuration) {
        if (configuration == null || configuration.getConfigurationSource() == null) {
            return null;
        }
        String location = configuration.getConfigurationSource().getLocation();
        if (location == null && configuration.getConfigurationSource().getURI() != null) {
            location = configuration.getConfigurationSource().getURI().toString();
        }
        return location;
    }

    private static URL resource(String name) {
        URL url = ConsoleLogging.class.getClassLoader().getResource(name);
        return url != null ? url : Thread.currentThread().getContextClassLoader() == null ? null
                : Thread.currentThread().getContextClassLoader().getResource(name);
    }
}
