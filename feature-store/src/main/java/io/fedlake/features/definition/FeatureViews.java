package io.fedlake.features.definition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The set of feature view definitions in use: every {@code *.yaml}/{@code *.yml} file of a directory, or the
 * definitions packaged with Fedlake (feature-store/definitions/, on the classpath under
 * {@value #PACKAGED}). View names are unique across files.
 */
public final class FeatureViews {

    /** Classpath folder of the packaged definitions. */
    public static final String PACKAGED = "io/fedlake/features/definitions";

    private final Map<String, FeatureViewDefinition> views;
    private final String origin;

    public FeatureViews(Collection<FeatureViewDefinition> definitions, String origin) {
        Map<String, FeatureViewDefinition> m = new TreeMap<>();
        for (FeatureViewDefinition d : definitions) {
            FeatureViewDefinition before = m.put(d.name(), d);
            if (before != null) {
                throw new DefinitionException(d.file(), "name", "view '" + d.name() + "' is already defined in " + before.file());
            }
        }
        this.views = java.util.Collections.unmodifiableMap(m);
        this.origin = origin;
    }

    /** Every YAML file directly in {@code dir}, in name order. */
    public static FeatureViews load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("feature definitions directory " + dir + " does not exist");
        }
        return new FeatureViews(parseAll(dir), dir.toString());
    }

    /** The definitions shipped in the Fedlake jar (or target/classes when run from the build). */
    public static FeatureViews packaged() {
        URL url = FeatureViews.class.getClassLoader().getResource(PACKAGED);
        if (url == null) {
            throw new IllegalStateException("no packaged feature definitions on the classpath at " + PACKAGED);
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                return new FeatureViews(parseAll(fs.provider().getPath(uri)), "classpath:" + PACKAGED);
            }
            return new FeatureViews(parseAll(Path.of(uri)), "classpath:" + PACKAGED);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot list packaged feature definitions at " + url, e);
        }
    }

    private static List<FeatureViewDefinition> parseAll(Path dir) {
        List<FeatureViewDefinition> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(DefinitionLoader.parse(p.getFileName().toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read feature definitions in " + dir, e);
        }
        return out;
    }

    /** @throws IllegalArgumentException listing the known views */
    public FeatureViewDefinition get(String name) {
        FeatureViewDefinition d = views.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown feature view '" + name + "'; defined in " + origin + ": " + String.join(", ", views.keySet()));
        }
        return d;
    }

    public Collection<FeatureViewDefinition> all() {
        return views.values();
    }

    /** Where the definitions came from: a directory or {@code classpath:…}. */
    public String origin() {
        return origin;
    }
}
