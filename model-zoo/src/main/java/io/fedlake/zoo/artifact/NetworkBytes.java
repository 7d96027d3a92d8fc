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

    public static ComputationGraph fromBytes(byte[] bytes) {
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false);
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
