package io.fedlake.zoo;

import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.image.ImagePreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every architecture builds for the specs it accepts, gives outputs of the declared shapes, and refuses the others. */
class ArchitecturesTest {

    private static final ModelSpec.Output FINDING = new ModelSpec.Output("finding", "finding", List.of("0", "1"));
    private static final ModelSpec.Output TYPE = new ModelSpec.Output("defect_type", "defect_type", List.of("none", "scratch", "spot", "crack"));
    private static final ModelSpec.Output DEFECT = new ModelSpec.Output("defect", "is_defect", List.of("0", "1"));
    private static final ModelSpec.Image IMAGE = new ModelSpec.Image("image", 1, 64, 64);
    private static final ModelSpec.Dense CLINICAL = new ModelSpec.Dense("numeric", 5);
    private static final ModelSpec.Categorical SEX = new ModelSpec.Categorical("cat_sex", 3);

    @Test
    void allSixAreRegistered() {
        assertEquals(List.of("credit-mlp", "defect-fusion", "imaging-fusion", "lenet", "logreg", "sequential-mlp"), List.copyOf(Architectures.all().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byName("resnet-9000"));
        assertEquals("unknown model architecture 'resnet-9000'; available: credit-mlp, defect-fusion, imaging-fusion, lenet, logreg, sequential-mlp", e.getMessage());
    }

    @Test
    void sequentialMlpIsAMultiLayerNetworkConvertedWithItsParameters() {
        ModelSpec spec = new ModelSpec(List.of(CLINICAL), List.of(FINDING));
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork mln = SequentialMlp.network(spec, ModelHyperParams.creditDefaults(4));
        ComputationGraph graph = Architectures.byName("sequential-mlp").build(spec, ModelHyperParams.creditDefaults(4));
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 5);

        assertEquals(mln.params(), graph.params());
        assertEquals(mln.output(x, false), graph.output(false, x)[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Architectures.byName("sequential-mlp").build(new ModelSpec(List.of(CLINICAL, SEX), List.of(FINDING)), ModelHyperParams.creditDefaults(4)));
        assertTrue(e.getMessage().contains("numeric features only"), e.getMessage());
    }

    @Test
    void imagingFusionFusesImageAndClinicalIntoOneProbability() {
        ModelSpec spec = new ModelSpec(List.of(CLINICAL, SEX, IMAGE), List.of(FINDING));
        ComputationGraph net = Architectures.byName("imaging-fusion").build(spec, ModelHyperParams.imageDefaults(1));

        INDArray[] out = net.output(Nd4j.rand(DataType.FLOAT, 4, 5), Nd4j.zeros(DataType.FLOAT, 4, 1), Nd4j.rand(DataType.FLOAT, 4, 1, 64, 64));

        assertEquals(1, out.length);
        assertArrayEquals(new long[]{4, 1}, out[0].shape());
        assertTrue(out[0].minNumber().doubleValue() > 0 && out[0].maxNumber().doubleValue() < 1);
    }

    @Test
    void defectFusionHasATypeSoftmaxAndADefectProbability() {
        ModelSpec spec = new ModelSpec(List.of(new ModelSpec.Dense("numeric", 5), IMAGE), List.of(TYPE, DEFECT));
        ComputationGraph net = Architectures.byName("defect-fusion").build(spec, ModelHyperParams.imageDefaults(2));

        INDArray[] out = net.output(Nd4j.rand(DataType.FLOAT, 3, 5), Nd4j.rand(DataType.FLOAT, 3, 1, 64, 64));

        assertArrayEquals(new long[]{3, 4}, out[0].shape());
        assertArrayEquals(new float[]{1f, 1f, 1f}, out[0].sum(1).toFloatVector(), 1e-5f);
        assertArrayEquals(new long[]{3, 1}, out[1].shape());
        ComputationGraph back = NetworkBytes.fromBytes(NetworkBytes.toBytes(net, false));
        INDArray s = Nd4j.rand(DataType.FLOAT, 2, 5);
        INDArray i = Nd4j.rand(DataType.FLOAT, 2, 1, 64, 64);
        assertEquals(net.output(s, i)[0], back.output(s, i)[0]);
    }

    @Test
    void lenetAndLogregAreTheBaselines() {
        ComputationGraph lenet = Architectures.byName("lenet").build(new ModelSpec(List.of(IMAGE), List.of(FINDING)), ModelHyperParams.imageDefaults(3));
        assertArrayEquals(new long[]{2, 1}, lenet.outputSingle(Nd4j.rand(DataType.FLOAT, 2, 1, 64, 64)).shape());

        ComputationGraph logreg = Architectures.byName("logreg").build(new ModelSpec(List.of(CLINICAL, SEX), List.of(FINDING)), ModelHyperParams.creditDefaults(3));
        // linear: a weight per numeric input, a number per category (times one output weight per categorical feature), a bias
        assertEquals(5 + 3 + 1 + 1, logreg.numParams(), () -> logreg.paramTable().entrySet().stream().map(e -> e.getKey() + java.util.Arrays.toString(e.getValue().shape())).toList().toString());
    }

    @Test
    void specsThatDoNotFitAreRefusedWithAReason() {
        ModelSpec tabularOnly = new ModelSpec(List.of(CLINICAL), List.of(FINDING));
        ModelSpec imageOnly = new ModelSpec(List.of(IMAGE), List.of(FINDING));
        assertEquals("imaging-fusion needs exactly one image input, got 0",
                assertThrows(IllegalArgumentException.class, () -> Architectures.byName("imaging-fusion").build(tabularOnly, ModelHyperParams.imageDefaults(1))).getMessage());
        assertEquals("defect-fusion needs at least one tabular input besides the image",
                assertThrows(IllegalArgumentException.class, () -> Architectures.byName("defect-fusion").build(imageOnly, ModelHyperParams.imageDefaults(1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architectures.byName("credit-mlp").build(imageOnly, ModelHyperParams.creditDefaults(1)))
                .getMessage().startsWith("credit-mlp takes no image input"));
        assertThrows(IllegalArgumentException.class, () -> new ModelHyperParams(List.of(0), 0, 1e-3, 0, 1));
    }

    @Test
    void preprocessingRoundTripsThroughJsonAndDefinesTheSpec() {
        Preprocessing p = new Preprocessing(
                new TabularPreprocessor(List.of(new TabularPreprocessor.NumericFeature("age", 50, 10)),
                        List.of(new TabularPreprocessor.CategoricalFeature("sex", List.of("F", "M")))),
                new ImagePreprocessor("image", 1, 64, 64, 1 << 20), List.of(FINDING));

        Preprocessing back = Preprocessing.fromJson(p.toJson());

        assertEquals(p, back);
        assertEquals(new ModelSpec(List.of(new ModelSpec.Dense("numeric", 1), new ModelSpec.Categorical("cat_sex", 3), IMAGE), List.of(FINDING)),
                back.modelSpec());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Preprocessing.fromJson("[]")).getMessage().startsWith("not a valid preprocessing document"));
    }

    @Test
    void theUpdaterIsConfigurable() {
        ModelSpec spec = new ModelSpec(List.of(CLINICAL), List.of(FINDING));
        ComputationGraph net = Architectures.byName("credit-mlp").build(spec, new ModelHyperParams(List.of(8), 0, 0.01, 0, 1, "nesterovs"));
        assertEquals("Nesterovs", net.getLayer("dense0").conf().getLayer().getUpdaterByParam("W").getClass().getSimpleName());
        assertEquals("updater must be one of [adam, nesterovs, rmsprop, sgd], got 'lbfgs'",
                assertThrows(IllegalArgumentException.class, () -> new ModelHyperParams(List.of(8), 0, 0.01, 0, 1, "lbfgs")).getMessage());
    }

    @Test
    void aRegressionOutputIsOneLinearUnitTrainedOnTheStandardisedLabelAndRoundTrips() {
        ModelSpec.Output price = ModelSpec.Output.regression("predicted_price", "price").withTarget(new ModelSpec.Target(200_000, 50_000));
        ModelSpec spec = new ModelSpec(List.of(CLINICAL), List.of(price));
        ComputationGraph net = Architectures.byName("credit-mlp").build(spec, new ModelHyperParams(List.of(8), 0, 0.05, 0, 1));

        org.deeplearning4j.nn.conf.layers.OutputLayer head = (org.deeplearning4j.nn.conf.layers.OutputLayer) net.getLayer("predicted_price").conf().getLayer();
        assertEquals("LossMSE", head.getLossFn().getClass().getSimpleName());
        assertEquals("ActivationIdentity", head.getActivationFn().getClass().getSimpleName());
        // a linear target of the inputs is learnt, and the unit is unbounded (no sigmoid)
        INDArray x = Nd4j.rand(DataType.FLOAT, 256, 5).subi(0.5).muli(4);
        INDArray y = x.getColumn(0).mul(2).sub(x.getColumn(1)).reshape(256, 1);
        org.nd4j.linalg.dataset.DataSet d = new org.nd4j.linalg.dataset.DataSet(x, y);
        double before = net.score(d);
        for (int i = 0; i < 300; i++) {
            net.fit(d);
        }
        assertTrue(net.score(d) < before / 20, () -> "MSE " + before + " → " + net.score(d));
        assertTrue(net.outputSingle(x).maxNumber().doubleValue() > 1.5);
        assertEquals(260_000, price.prediction(1.2), 1e-9);
        assertEquals(1.2f, price.target().standardised(260_000), 1e-6f);

        Preprocessing p = new Preprocessing(new TabularPreprocessor(List.of(new TabularPreprocessor.NumericFeature("age", 50, 10)), List.of()), null, List.of(price));
        assertEquals(p, Preprocessing.fromJson(p.toJson()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Preprocessing(p.tabular(), null, List.of(ModelSpec.Output.regression("y", "y"))))
                .getMessage().contains("no fitted target"));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec.Target(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec.Output("y", "y", List.of()));
    }

    @Test
    void aPreprocessingDocumentWrittenBeforeRegressionStillReads() {
        Preprocessing p = new Preprocessing(new TabularPreprocessor(List.of(new TabularPreprocessor.NumericFeature("age", 50, 10)), List.of()), null, List.of(FINDING));
        String old = p.toJson().replaceAll(",\\s*\"target\"\\s*:\\s*null", "");
        assertTrue(!old.contains("target"), old);
        assertEquals(p, Preprocessing.fromJson(old));
    }
}
