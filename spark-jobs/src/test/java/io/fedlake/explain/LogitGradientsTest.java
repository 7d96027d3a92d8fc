package io.fedlake.explain;

import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.ModelSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


class LogitGradientsTest {

    static final ModelSpec.Output FINDING = new ModelSpec.Output("finding", "finding", List.of("0", "1"));
    static final ModelSpec.Output TYPE = new ModelSpec.Output("defect_type", "defect_type", List.of("none", "scratch", "spot", "crack"));
    static final ModelSpec.Image IMAGE = new ModelSpec.Image("image", 1, 16, 16);

    static INDArray[] inputs(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new INDArray[]{Nd4j.randn(DataType.FLOAT, n, 3), Nd4j.rand(DataType.FLOAT, n, 1, 16, 16)};
    }

    private static double logit(ComputationGraph net, INDArray[] x, int row) {
        double p = net.output(false, x)[0].getDouble(row, 0);
        return Math.log(p / (1 - p));
    }

    /** Central differences of the logit, per pixel, against the backward pass; a second (multi-class) head must not leak in. */
    @Test
    void theGradientIsTheLogitsGradientOfTheExplainedOutputOnly() {
        ComputationGraph net = Architectures.byName("imaging-fusion").build(
                new ModelSpec(List.of(new ModelSpec.Dense("numeric", 3), IMAGE), List.of(FINDING, TYPE)), ModelHyperParams.imageDefaults(1));
        INDArray[] x = inputs(3, 7);
        LogitGradients.Result r = new LogitGradients(net, 0, 1).gradients(x);
        assertEquals(List.of(3L, 1L, 16L, 16L), List.of(r.gradients().shape()[0], r.gradients().shape()[1], r.gradients().shape()[2], r.gradients().shape()[3]));
        double h = 2e-3;
        int checked = 0;
        int agree = 0;
        double maxAbs = r.gradients().amaxNumber().doubleValue();
        for (int row = 0; row < 3; row++) {
            for (int px = 5; px < 256; px += 37) {
                int yy = px / 16;
                int xx = px % 16;
                INDArray[] plus = {x[0], x[1].dup()};
                INDArray[] minus = {x[0], x[1].dup()};
                plus[1].putScalar(new long[]{row, 0, yy, xx}, x[1].getDouble(row, 0, yy, xx) + h);
                minus[1].putScalar(new long[]{row, 0, yy, xx}, x[1].getDouble(row, 0, yy, xx) - h);
                double numeric = (logit(net, plus, row) - logit(net, minus, row)) / (2 * h);
                double analytic = r.gradients().getDouble(row, 0, yy, xx);
                if (Math.abs(numeric - analytic) <= 0.01 * maxAbs + 2e-4) {
                    agree++;
                } else {
                    System.out.printf("row %d pixel %d,%d: central difference %.5f, backward pass %.5f%n", row, yy, xx, numeric, analytic);
                }
                checked++;
            }
        }
        assertTrue(maxAbs > 0, "all-zero gradients");
        assertEquals(21, checked);
        // ReLU and max-pooling kinks inside ±h make a few central differences disagree; almost all must match
        assertTrue(agree >= 18, agree + " of " + checked + " pixels agree with central differences");
        float[] p = net.output(false, x)[0].dup().reshape(3).toFloatVector();
        for (int i = 0; i < 3; i++) {
            assertEquals(p[i], r.probabilities()[i], 1e-6);
        }
    }

    /** Integrated gradients add up to the logit's change from the blurred baseline to the image (completeness). */
    @Test
    void integratedGradientsAreCompleteAndZeroWhereTheImageEqualsItsBaseline() {
        ComputationGraph net = Architectures.byName("imaging-fusion").build(
                new ModelSpec(List.of(new ModelSpec.Dense("numeric", 3), IMAGE), List.of(FINDING)), ModelHyperParams.imageDefaults(2));
        INDArray[] x = inputs(2, 11);
        IntegratedGradients ig = new IntegratedGradients(new LogitGradients(net, 0, 1), 1, 64, 2.0);
        for (int row = 0; row < 2; row++) {
            IntegratedGradients.Attribution a = ig.explain(x, row);
            double change = a.logit() - a.baselineLogit();
            assertTrue(Math.abs(change) > 1e-3, "the blur should move the logit: " + change);
            assertEquals(0, a.completenessGap(), 0.05 * Math.abs(change) + 1e-3, "row " + row + ": logit change " + change);
        }
        // a flat image is its own blur: nothing to attribute
        INDArray[] flat = {x[0], x[1].dup().assign(0.5)};
        for (float v : ig.explain(flat, 0).attributions()) {
            assertEquals(0, v, 1e-6);
        }
    }
}
