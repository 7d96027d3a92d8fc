package io.fedlake.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.cli.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model version on the lake: {@code <root>/models/<name>/<version>/} holding {@code model.zip} (DL4J),
 * {@code preprocessor.json} (the fitted translator state) and {@code model.json} (provenance, metrics and the
 * SHA-256 of both files). Loading recomputes both checksums and refuses a tampered or truncated artifact.
 */
public final class ModelFiles {

    public static final String NETWORK_FILE = "model.zip";
    public static final String PREPROCESSOR_FILE = "preprocessor.json";
    public static final String METADATA_FILE = "model.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lake lake;

    public ModelFiles(Lake lake) {
        this.lake = lake;
    }

    /** A saved version: where it is, its identity and its metadata document. */
    public record ModelVersion(String name, String version, String uri, String sha256, Map<String, Object> metadata) {
    }

    /** A loaded, verified version. */
    public record LoadedModel(ModelVersion version, byte[] networkBytes, TabularPreprocessor preprocessor) {
    }

    public ModelVersion save(String name, String version, byte[] network, TabularPreprocessor preprocessor,
                             Map<String, Object> provenance) {
        String dir = lake.pathUnder("models/" + name + "/" + version);
        byte[] pre = preprocessor.toJson().getBytes(StandardCharsets.UTF_8);
        String sha = NetworkBytes.sha256(network);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("version", version);
        meta.putAll(provenance);
        meta.put("artifact_sha256", sha);
        meta.put("preprocessor_sha256", NetworkBytes.sha256(pre));
        try {
            FileSystem fs = lake.fileSystem();
            Path d = new Path(dir);
            if (fs.exists(d)) {
                throw new UserError("model " + name + " version " + version + " already exists at " + dir);
            }
            write(fs, new Path(d, NETWORK_FILE), network);
            write(fs, new Path(d, PREPROCESSOR_FILE), pre);
            // metadata last: a version without model.json is an incomplete write and is ignored by listings
            write(fs, new Path(d, METADATA_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
        return new ModelVersion(name, version, dir, sha, meta);
    }

    /**
     * Resolves {@code NAME} (its newest complete version), {@code NAME:VERSION}, or a model directory URI.
     */
    public LoadedModel load(String reference) {
        String dir = resolve(reference);
        try {
            FileSystem fs = lake.fileSystem();
            Path d = new Path(dir);
            Map<String, Object> meta = JSON.readValue(read(fs, new Path(d, METADATA_FILE)), new TypeReference<>() {
            });
            byte[] network = read(fs, new Path(d, NETWORK_FILE));
            byte[] pre = read(fs, new Path(d, PREPROCESSOR_FILE));
            String sha = NetworkBytes.sha256(network);
            if (!sha.equals(meta.get("artifact_sha256"))) {
                throw new UserError("model at " + dir + " fails its checksum: " + NETWORK_FILE + " has SHA-256 " + sha
                        + " but model.json records " + meta.get("artifact_sha256") + " (tampered or truncated)");
            }
            if (!NetworkBytes.sha256(pre).equals(meta.get("preprocessor_sha256"))) {
                throw new UserError("model at " + dir + " fails its checksum: " + PREPROCESSOR_FILE + " was modified");
            }
            ModelVersion v = new ModelVersion((String) meta.get("name"), (String) meta.get("version"), dir, sha, meta);
            return new LoadedModel(v, network, TabularPreprocessor.fromJson(new String(pre, StandardCharsets.UTF_8)));
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            throw new UserError("model at " + dir + " fails its checksum: the file system reports corruption (" + e.getMessage() + ")");
        } catch (java.io.FileNotFoundException e) {
            throw new UserError("model at " + dir + " is incomplete: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model at " + dir, e);
        }
    }

    private String resolve(String reference) {
        if (reference.contains("/")) {
            return Lake.normaliseRoot(reference);
        }
        int colon = reference.indexOf(':');
        if (colon > 0) {
            return lake.pathUnder("models/" + reference.substring(0, colon) + "/" + reference.substring(colon + 1));
        }
        String base = lake.pathUnder("models/" + reference);
        try {
            FileSystem fs = lake.fileSystem();
            Path p = new Path(base);
            FileStatus[] versions = fs.exists(p) ? fs.listStatus(p) : new FileStatus[0];
            return Arrays.stream(versions).filter(FileStatus::isDirectory)
                    .filter(s -> exists(fs, new Path(s.getPath(), METADATA_FILE)))
                    .max(Comparator.comparing(s -> s.getPath().getName()))
                    .map(s -> base + "/" + s.getPath().getName())
                    .orElseThrow(() -> new UserError("no trained model named '" + reference + "' under " + base
                            + " (run 'fedlake train' or 'fedlake pipeline' first)"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list models under " + base, e);
        }
    }

    private static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(FileSystem fs, Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, false)) {
            out.write(bytes);
        }
    }

    private static byte[] read(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }
}
