package io.fedlake.zoo.artifact;

import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.CreditMlp;
import io.fedlake.zoo.ModelHyperParams;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkBytesTest {

    @Test
    void roundTripGivesIdenticalOutputs() {
        MultiLayerNetwork net = Architectures.byName(CreditMlp.NAME).build(7, ModelHyperParams.creditDefaults(42));
        INDArray batch = Nd4j.rand(DataType.FLOAT, 16, 7);

        byte[] bytes = NetworkBytes.toBytes(net, true);
        MultiLayerNetwork back = NetworkBytes.fromBytes(bytes);

        assertEquals(net.output(batch), back.output(batch));
        assertEquals(64, NetworkBytes.sha256(bytes).length());
    }

    @Test
    void sameSeedGivesSameInitialParametersAndAnotherSeedDoesNot() {
        ModelHyperParams p = ModelHyperParams.creditDefaults(7);
        INDArray a = Architectures.byName("credit-mlp").build(5, p).params();
        INDArray b = Architectures.byName("credit-mlp").build(5, p).params();
        INDArray c = Architectures.byName("credit-mlp").build(5, ModelHyperParams.creditDefaults(8)).params();

        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void sha256MatchesKnownVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", NetworkBytes.sha256("abc".getBytes()));
    }

    @Test
    void truncatedBytesAreRefusedWithAClearError() {
        byte[] bytes = NetworkBytes.toBytes(Architectures.byName("logreg").build(3, ModelHyperParams.creditDefaults(1)), false);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkBytes.fromBytes(truncated));
        assertTrue(e.getMessage().startsWith("not a readable DL4J network"), e.getMessage());
    }

    @Test
    void unknownArchitectureNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byName("resnet-9000"));
        assertEquals("unknown model architecture 'resnet-9000'; known: credit-mlp, logreg", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ModelHyperParams(List.of(0), 0, 1e-3, 0, 1));
    }
}
