package io.fedlake.zoo.artifact;

import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.CreditMlp;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.ModelSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkBytesTest {

    static final ModelSpec SPEC = new ModelSpec(List.of(new ModelSpec.Dense("numeric", 7), new ModelSpec.Categorical("cat_k", 4)),
            List.of(new ModelSpec.Output("default", "y", List.of("0", "1"))));

    @Test
    void roundTripGivesIdenticalOutputs() {
        ComputationGraph net = Architectures.byName(CreditMlp.NAME).build(SPEC, ModelHyperParams.creditDefaults(42));
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 7);
        INDArray k = Nd4j.createFromArray(new float[]{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}).reshape(16, 1);

        byte[] bytes = NetworkBytes.toBytes(net, true);
        ComputationGraph back = NetworkBytes.fromBytes(bytes);

        assertArrayEquals(net.output(x, k)[0].toFloatVector(), back.output(x, k)[0].toFloatVector());
        assertEquals(64, NetworkBytes.sha256(bytes).length());
    }

    @Test
    void serialisingTheSameNetworkTwiceGivesTheSameBytes() throws InterruptedException {
        ComputationGraph net = Architectures.byName(CreditMlp.NAME).build(SPEC, ModelHyperParams.creditDefaults(42));
        byte[] first = NetworkBytes.toBytes(net, false);
        Thread.sleep(2_100); // zip timestamps have a 2 s resolution: a clock-stamped archive would differ now

        assertEquals(NetworkBytes.sha256(first), NetworkBytes.sha256(NetworkBytes.toBytes(net, false)));
    }

    @Test
    void sameSeedGivesSameInitialParametersAndAnotherSeedDoesNot() {
        INDArray a = Architectures.byName("credit-mlp").build(SPEC, ModelHyperParams.creditDefaults(7)).params();
        INDArray b = Architectures.byName("credit-mlp").build(SPEC, ModelHyperParams.creditDefaults(7)).params();
        INDArray c = Architectures.byName("credit-mlp").build(SPEC, ModelHyperParams.creditDefaults(8)).params();

        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void sha256MatchesKnownVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", NetworkBytes.sha256("abc".getBytes()));
    }

    @Test
    void truncatedBytesAreRefusedWithAClearError() {
        byte[] bytes = NetworkBytes.toBytes(Architectures.byName("logreg").build(SPEC, ModelHyperParams.creditDefaults(1)), false);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkBytes.fromBytes(truncated));
        assertTrue(e.getMessage().startsWith("not a readable DL4J network"), e.getMessage());
    }

    private static java.util.Set<String> entries(byte[] zip) throws java.io.IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }

    /** What ModelSerializer writes for a ComputationGraph is exactly what the allow-list admits. */
    @Test
    void theAllowListIsWhatModelSerializerWritesWithAndWithoutUpdater() throws java.io.IOException {
        ComputationGraph net = Architectures.byName(CreditMlp.NAME).build(SPEC, ModelHyperParams.creditDefaults(3));
        assertEquals(java.util.Set.of("configuration.json", "coefficients.bin"), entries(NetworkBytes.toBytes(net, false)));
        assertEquals(java.util.Set.of("configuration.json", "coefficients.bin", "updaterState.bin"), entries(NetworkBytes.toBytes(net, true)));
        assertTrue(NetworkBytes.ALLOWED_ENTRIES.containsAll(entries(NetworkBytes.toBytes(net, true))));
    }

    private static byte[] withExtraEntry(byte[] zip, String name, byte[] content) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip)); var z = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            z.putNextEntry(new java.util.zip.ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void entriesThatDl4jWouldJavaDeserialiseAreRefused() throws java.io.IOException {
        byte[] good = NetworkBytes.toBytes(Architectures.byName("logreg").build(SPEC, ModelHyperParams.creditDefaults(1)), false);
        java.io.ByteArrayOutputStream object = new java.io.ByteArrayOutputStream();
        try (var o = new java.io.ObjectOutputStream(object)) {
            o.writeObject(new java.util.HashMap<>(java.util.Map.of("gadget", "chain")));
        }
        for (String name : List.of("normalizer.bin", "preprocessor.bin", "objects/payload", "../configuration.json")) {
            byte[] evil = withExtraEntry(good, name, object.toByteArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkBytes.fromBytes(evil), name);
            assertTrue(e.getMessage().startsWith("model.zip entry '" + name + "' is not allowed"), e.getMessage());
        }
    }
}
