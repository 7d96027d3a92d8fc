package io.fedlake.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.cli.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.Preprocessing;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model artifact on the lake: {@code <root>/models/<name>/artifacts/<artifact id>/} (the training run id, so
 * concurrent trainings never collide) holding {@code model.zip} (DL4J),
 * {@code preprocessor.json} (the fitted translator state: tabular and image preprocessing, outputs and classes) and {@code model.json} (provenance, metrics and the
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

    /**
     * A model version: its name, version (the registry's number, or the artifact id before registration), where its
     * files are, the network's SHA-256 and its metadata document.
     */
    public record ModelVersion(String name, String version, String uri, String sha256, Map<String, Object> metadata) {
    }

    /** A loaded, verified version. */
    public record LoadedModel(ModelVersion version, byte[] networkBytes, Preprocessing preprocessing) {
    }

    /** Writes a new artifact; {@code artifactId} must be unique per name (a run id). */
    public ModelVersion save(String name, String version, byte[] network, Preprocessing preprocessor,
                             Map<String, Object> provenance) {
        String dir = lake.pathUnder("models/" + name + "/artifacts/" + version);
        byte[] pre = preprocessor.toJson().getBytes(StandardCharsets.UTF_8);
        String sha = NetworkBytes.sha256(network);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("artifact_id", version);
        meta.putAll(provenance);
        meta.put("artifact_sha256", sha);
        meta.put("preprocessor_sha256", NetworkBytes.sha256(pre));
        try {
            FileSystem fs = lake.fileSystem();
            Path d = new Path(dir);
            if (fs.exists(d)) {
                throw new UserError("model artifact " + name + "/" + version + " already exists at " + dir);
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

    /** Loads the artifact in directory {@code dirUri}, verifying both checksums. */
    public LoadedModel load(String dirUri) {
        String dir = dirUri;
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
            ModelVersion v = new ModelVersion((String) meta.get("name"), String.valueOf(meta.get("artifact_id")), dir, sha, meta);
            return new LoadedModel(v, network, Preprocessing.fromJson(new String(pre, StandardCharsets.UTF_8)));
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            throw new UserError("model at " + dir + " fails its checksum: the file system reports corruption (" + e.getMessage() + ")");
        } catch (java.io.FileNotFoundException e) {
            throw new UserError("model at " + dir + " is incomplete: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model at " + dir, e);
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
