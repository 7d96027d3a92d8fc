package io.fedlake.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.core.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.artifact.SigningKey;
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
import java.util.Optional;

/**
 * A model artifact on the lake: {@code <root>/models/<name>/artifacts/<artifact id>/} (the training run id, so
 * concurrent trainings never collide) holding {@code model.zip} (DL4J),
 * {@code preprocessor.json} (the fitted translator state: tabular and image preprocessing, outputs and classes), {@code model.json} (provenance, metrics and the
 * SHA-256 of both files) and, when a {@link SigningKey} is configured, {@code model.sig}: an HMAC-SHA256 over the
 * name, artifact id and the SHA-256 of all three files' bytes.
 *
 * <p>Loading, before any byte reaches DL4J: with a key, refuses an unsigned artifact or one whose signature does not
 * verify (the SHA-256s sit in the same lake and only detect corruption; the key is what detects tampering); with or
 * without a key, recomputes both SHA-256s, checks the artifact sits where model.json says, and refuses a model.zip
 * with any entry outside {@link NetworkBytes#ALLOWED_ENTRIES}.
 */
public final class ModelFiles {

    public static final String NETWORK_FILE = "model.zip";
    public static final String PREPROCESSOR_FILE = "preprocessor.json";
    public static final String METADATA_FILE = "model.json";
    public static final String SIGNATURE_FILE = "model.sig";
    static final String SIGNATURE_SCHEME = "fedlake-model-signature-v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lake lake;
    private final Optional<SigningKey> key;

    /** With the key {@value SigningKey#ENV} names, if any. */
    public ModelFiles(Lake lake) {
        this(lake, SigningKey.fromEnvironment());
    }

    public ModelFiles(Lake lake, Optional<SigningKey> key) {
        this.lake = lake;
        this.key = key;
    }

    /**
     * A model version: its name, version (the registry's number, or the artifact id before registration), where its
     * files are, the network's SHA-256 and its metadata document.
     */
    public record ModelVersion(String name, String version, String uri, String sha256, Map<String, Object> metadata) {
    }

    /**
     * A loaded, verified version.
     *
     * @param signature "signed (key …)" or "unsigned": what {@code models verify} reports
     */
    public record LoadedModel(ModelVersion version, byte[] networkBytes, Preprocessing preprocessing, String signature) {
    }

    /** What the signature covers: the scheme, name, artifact id and the SHA-256 of each file's bytes, one per line. */
    static byte[] signedStatement(String name, String artifactId, byte[] network, byte[] preprocessor, byte[] metadata) {
        return String.join("\n", SIGNATURE_SCHEME, name, artifactId, NetworkBytes.sha256(network), NetworkBytes.sha256(preprocessor),
                NetworkBytes.sha256(metadata)).getBytes(StandardCharsets.UTF_8);
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
        key.ifPresent(k -> meta.put("signing_key_id", k.id()));
        try {
            byte[] metaBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta);
            FileSystem fs = lake.fileSystem();
            Path d = new Path(dir);
            if (fs.exists(d)) {
                throw new UserError("model artifact " + name + "/" + version + " already exists at " + dir);
            }
            write(fs, new Path(d, NETWORK_FILE), network);
            write(fs, new Path(d, PREPROCESSOR_FILE), pre);
            if (key.isPresent()) {
                Map<String, Object> sig = new LinkedHashMap<>();
                sig.put("scheme", SIGNATURE_SCHEME);
                sig.put("algorithm", SigningKey.ALGORITHM);
                sig.put("key_id", key.get().id());
                sig.put("signature", key.get().sign(signedStatement(name, version, network, pre, metaBytes)));
                write(fs, new Path(d, SIGNATURE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(sig));
            }
            // metadata last: a version without model.json is an incomplete write and is ignored by listings
            write(fs, new Path(d, METADATA_FILE), metaBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
        return new ModelVersion(name, version, dir, sha, meta);
    }

    /** Loads the artifact in directory {@code dirUri}, verifying signature, checksums, location and zip entries. */
    public LoadedModel load(String dirUri) {
        String dir = dirUri;
        try {
            FileSystem fs = lake.fileSystem();
            Path d = new Path(dir);
            byte[] metaBytes = read(fs, new Path(d, METADATA_FILE));
            byte[] network = read(fs, new Path(d, NETWORK_FILE));
            byte[] pre = read(fs, new Path(d, PREPROCESSOR_FILE));
            Map<String, Object> meta;
            try {
                meta = JSON.readValue(metaBytes, new TypeReference<>() {
                });
            } catch (IOException e) {
                throw new UserError("model at " + dir + " fails its checksum: " + METADATA_FILE + " is not valid JSON (" + firstLine(e.getMessage()) + ")");
            }
            String name = String.valueOf(meta.get("name"));
            String artifactId = String.valueOf(meta.get("artifact_id"));
            String signature = verifySignature(fs, d, dir, name, artifactId, network, pre, metaBytes);
            if (!d.getName().equals(artifactId) || !d.getParent().getParent().getName().equals(name)) {
                throw new UserError("model at " + dir + " fails its checksum: " + METADATA_FILE + " describes " + name + "/" + artifactId
                        + ", which belongs at models/" + name + "/artifacts/" + artifactId);
            }
            String sha = NetworkBytes.sha256(network);
            if (!sha.equals(meta.get("artifact_sha256"))) {
                throw new UserError("model at " + dir + " fails its checksum: " + NETWORK_FILE + " has SHA-256 " + sha
                        + " but model.json records " + meta.get("artifact_sha256") + " (tampered or truncated)");
            }
            if (!NetworkBytes.sha256(pre).equals(meta.get("preprocessor_sha256"))) {
                throw new UserError("model at " + dir + " fails its checksum: " + PREPROCESSOR_FILE + " was modified");
            }
            try {
                NetworkBytes.allowListed(network);
            } catch (IllegalArgumentException e) {
                throw new UserError("model at " + dir + " is refused: " + e.getMessage());
            }
            ModelVersion v = new ModelVersion(name, artifactId, dir, sha, meta);
            return new LoadedModel(v, network, Preprocessing.fromJson(new String(pre, StandardCharsets.UTF_8)), signature);
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            throw new UserError("model at " + dir + " fails its checksum: the file system reports corruption (" + e.getMessage() + ")");
        } catch (java.io.FileNotFoundException e) {
            throw new UserError("model at " + dir + " is incomplete: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model at " + dir, e);
        }
    }

    /** "signed (key …)" or "unsigned"; refuses when a key is configured and the signature is absent or wrong. */
    private String verifySignature(FileSystem fs, Path d, String dir, String name, String artifactId, byte[] network, byte[] pre,
                                   byte[] metaBytes) throws IOException {
        Path sigPath = new Path(d, SIGNATURE_FILE);
        boolean present = fs.exists(sigPath);
        if (key.isEmpty()) {
            return present ? "unsigned (has a signature, but no " + SigningKey.ENV + " is configured to verify it)" : "unsigned";
        }
        if (!present) {
            throw new UserError("model at " + dir + " is unsigned and " + SigningKey.ENV + " is set: refusing to load it");
        }
        Object hex;
        try {
            hex = JSON.readValue(read(fs, sigPath), new TypeReference<Map<String, Object>>() {
            }).get("signature");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            hex = null;
        }
        if (!(hex instanceof String h) || !key.get().verifies(signedStatement(name, artifactId, network, pre, metaBytes), h)) {
            throw new UserError("model at " + dir + " fails its signature: " + SIGNATURE_FILE + " does not match " + NETWORK_FILE + ", "
                    + PREPROCESSOR_FILE + " and " + METADATA_FILE + " under key " + key.get().id() + " (tampered, or signed with another key)");
        }
        return "signed (key " + key.get().id() + ")";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
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
