package io.fedlake.lake;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A named Spark profile: a spark-defaults style file of {@code gpu-config/} ({@code cpu-local}, {@code gpu-standalone},
 * {@code gpu-yarn}, {@code gpu-k8s}), the same file a cluster passes to {@code spark-submit --properties-file}.
 * {@code NAME} is looked up as {@code $FEDLAKE_PROFILE_DIR/NAME.conf} (the {@code ./fedlake} launcher points it at
 * the checkout's {@code gpu-config/}), then among the profiles packaged in the application jar; a value with a
 * {@code /} or ending in {@code .conf} is a path. Parsed as Spark parses a properties file
 * ({@link Properties#load}, whitespace or {@code =} separated, values trimmed).
 */
public record SparkProfile(String name, String source, Map<String, String> settings) {

    /** The profiles shipped in {@code gpu-config/} (and packaged in the jar). */
    public static final List<String> PACKAGED = List.of("cpu-local", "gpu-standalone", "gpu-yarn", "gpu-k8s");

    public SparkProfile {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        if (settings.containsKey("spark.master")) {
            throw new IllegalArgumentException("profile " + name + " sets spark.master: the master comes from --master or spark-submit, never from a profile");
        }
    }

    /** Loads a profile by name or path; an unknown one is an {@link IllegalArgumentException} naming the known ones. */
    public static SparkProfile load(String nameOrPath) {
        return load(nameOrPath, System.getenv("FEDLAKE_PROFILE_DIR"));
    }

    static SparkProfile load(String nameOrPath, String profileDir) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("--profile needs a name (" + String.join(", ", PACKAGED) + ") or a path to a .conf file");
        }
        try {
            if (nameOrPath.contains("/") || nameOrPath.endsWith(".conf")) {
                Path p = Path.of(nameOrPath);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("--profile " + nameOrPath + ": no such file");
                }
                try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                    return new SparkProfile(nameOrPath, p.toAbsolutePath().toString(), parse(r));
                }
            }
            if (!nameOrPath.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("--profile " + nameOrPath + ": not a profile name");
            }
            if (profileDir != null && !profileDir.isBlank()) {
                Path p = Path.of(profileDir, nameOrPath + ".conf");
                if (Files.isRegularFile(p)) {
                    try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                        return new SparkProfile(nameOrPath, p.toAbsolutePath().toString(), parse(r));
                    }
                }
            }
            String resource = "gpu-config/" + nameOrPath + ".conf";
            try (InputStream in = SparkProfile.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
                        return new SparkProfile(nameOrPath, "classpath:" + resource, parse(r));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--profile " + nameOrPath + ": cannot read it: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unknown --profile " + nameOrPath + " (known: " + String.join(", ", PACKAGED)
                + (profileDir == null || profileDir.isBlank() ? "" : ", or a NAME.conf in " + profileDir) + "; or give a path to a .conf file)");
    }

    private static Map<String, String> parse(Reader r) throws IOException {
        Properties p = new Properties();
        p.load(r);
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k.trim(), p.getProperty(k).trim()));
        return out;
    }
}
