package io.fedlake.zoo.artifact;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Networks to and from bytes (DL4J's zip format), and the SHA-256 that identifies an artifact in provenance.
 * Bytes rather than files because artifacts live under any Hadoop URI and travel to executors as broadcasts.
 */
public final class NetworkBytes {

    private NetworkBytes() {
    }

    /**
     * Serialises configuration and parameters, and the updater state when {@code withUpdater} (to resume training).
     * The bytes are reproducible: DL4J's zip stamps every entry with the current time, so the entries are rewritten
     * with a fixed time and the same network always gives the same bytes and SHA-256.
     */
    public static byte[] toBytes(ComputationGraph network, boolean withUpdater) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, bytes, withUpdater);
            return withFixedTimestamps(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise network", e);
        }
    }

    private static byte[] withFixedTimestamps(byte[] zip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(zip.length);
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new ByteArrayInputStream(zip));
             java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            java.util.zip.ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                java.util.zip.ZipEntry copy = new java.util.zip.ZipEntry(e.getName());
                copy.setTime(FIXED_TIME);
                z.putNextEntry(copy);
                in.transferTo(z);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** 2020-01-01T00:00:00Z, the time written into every zip entry. */
    private static final long FIXED_TIME = 1_577_836_800_000L;

    /**
     * The zip entries {@link ModelSerializer#writeModel} writes for a ComputationGraph: configuration JSON and the
     * parameters (or a marker when there are none), plus the updater state when saved with it. DL4J reads other
     * entries ({@code normalizer.bin}, {@code preprocessor.bin}, {@code objects/…}) with Java's
     * {@code ObjectInputStream}, so an archive holding anything else is refused before DL4J sees a byte.
     */
    public static final java.util.Set<String> ALLOWED_ENTRIES = java.util.Set.of(
            ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN, ModelSerializer.NO_PARAMS_MARKER, ModelSerializer.UPDATER_BIN);

    /** Largest uncompressed archive accepted (all entries together): a zip bomb stops here, not in the heap. */
    static final long MAX_UNCOMPRESSED_BYTES = 1L << 31;

    /**
     * The archive rebuilt from its allow-listed entries, read through the local headers, so what DL4J (which reads
     * the central directory of a temporary copy) sees is exactly what was checked here.
     *
     * @throws IllegalArgumentException naming the entry when it is not allowed, duplicated, or the archive is unreadable
     */
    public static byte[] allowListed(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        java.util.Set<String> seen = new java.util.HashSet<>();
        long total = 0;
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new ByteArrayInputStream(bytes));
             java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            java.util.zip.ZipEntry e;
            byte[] buf = new byte[64 * 1024];
            while ((e = in.getNextEntry()) != null) {
                if (!ALLOWED_ENTRIES.contains(e.getName())) {
                    throw new IllegalArgumentException("model.zip entry '" + e.getName() + "' is not allowed (a DL4J ComputationGraph archive holds only "
                            + new java.util.TreeSet<>(ALLOWED_ENTRIES) + ")");
                }
                if (!seen.add(e.getName())) {
                    throw new IllegalArgumentException("model.zip entry '" + e.getName() + "' occurs twice");
                }
                java.util.zip.ZipEntry copy = new java.util.zip.ZipEntry(e.getName());
                copy.setTime(FIXED_TIME);
                z.putNextEntry(copy);
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > MAX_UNCOMPRESSED_BYTES) {
                        throw new IllegalArgumentException("model.zip expands to more than " + MAX_UNCOMPRESSED_BYTES + " bytes");
                    }
                    z.write(buf, 0, n);
                }
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable DL4J network (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (!seen.contains(ModelSerializer.CONFIGURATION_JSON)) {
            throw new IllegalArgumentException("not a readable DL4J network (" + bytes.length + " bytes): no " + ModelSerializer.CONFIGURATION_JSON);
        }
        return out.toByteArray();
    }

    /** Restores a network from bytes that pass {@link #allowListed}; nothing outside the allow-list reaches DL4J. */
    public static ComputationGraph fromBytes(byte[] bytes) {
        byte[] checked = allowListed(bytes);
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(checked), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable DL4J network (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
