package io.fedlake.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Library versions Fedlake was built against and the runtime it runs on, for provenance. */
public final class BuildInfo {

    private BuildInfo() {
    }

    public static Map<String, String> describe(String runtimeSparkVersion) {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/fedlake-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k)));
        m.put("spark.runtime.version", runtimeSparkVersion);
        m.put("java.version", System.getProperty("java.version"));
        m.put("java.vendor", System.getProperty("java.vendor"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return m;
    }
}
