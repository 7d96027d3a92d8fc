package io.fedlake.explain;

import io.fedlake.core.UserError;
import org.deeplearning4j.nn.api.FwdPassType;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

import java.util.Arrays;

/**
 * Gradients of a binary output's logit with respect to one network input, row by row.
 *
 * <p>DL4J 1.0.0-M2.1 has no public input-gradient call on a {@link ComputationGraph}, but its backward pass leaves
 * each input vertex holding the loss gradient with respect to that input. This class runs that pass on a copy of
 * the network made for it (no dropout, no workspaces, so the epsilons outlive the pass) with labels chosen so that
 * only the explained output contributes: every other output's label is the network's own prediction (softmax or
 * sigmoid with cross-entropy, identity with squared error: a zero gradient). For the explained sigmoid output with
 * cross-entropy the gradient of the loss at its pre-activation is {@code p − y} per row; dividing by it gives the
 * gradient of the logit itself. {@code y} is the far label (1 when p &lt; ½, else 0), so the divisor is at least ½.
 */
public final class LogitGradients {

    private final GradientGraph net;
    private final int output;
    private final String inputName;
    private final int input;

    /**
     * @param trained  the scoring network (left untouched)
     * @param output   index of the binary output to explain
     * @param input    index of the network input to differentiate by
     */
    public LogitGradients(ComputationGraph trained, int output, int input) {
        ComputationGraphConfiguration conf = trained.getConfiguration().clone();
        String outputName = conf.getNetworkOutputs().get(output);
        for (var e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof BatchNormalization) {
                // Training-mode forward passes normalise by the batch's own statistics: the gradient would not be the scoring network's.
                throw new UserError("image explanations do not support batch normalisation (layer " + e.getKey() + ")");
            }
            layer.setIDropout(null);
            if (layer instanceof BaseLayer b) {
                b.setIDropout(null);
            }
            if (e.getKey().equals(outputName) && !(layer instanceof OutputLayer o
                    && o.getLossFn() instanceof LossBinaryXENT && o.getActivationFn() instanceof ActivationSigmoid)) {
                throw new UserError("image explanations need a sigmoid output with binary cross-entropy; " + outputName + " is " + layer);
            }
            if (layer instanceof LossLayer) {
                throw new UserError("image explanations do not support loss layers (" + e.getKey() + ")");
            }
        }
        conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        this.net = new GradientGraph(conf);
        this.net.init(trained.params().dup(), false);
        this.output = output;
        this.input = input;
        this.inputName = conf.getNetworkInputs().get(input);
    }

    /** The explained output's probability per row. */
    public float[] probabilities(INDArray[] x) {
        return net.output(false, x)[output].dup().reshape(x[0].size(0)).toFloatVector();
    }

    /** d logit / d input, shaped like {@code x[input]}, and the probabilities at {@code x}. */
    public Result gradients(INDArray[] x) {
        INDArray[] predicted = net.output(false, x);
        long n = x[0].size(0);
        float[] p = predicted[output].dup().reshape(n).toFloatVector();
        INDArray[] labels = new INDArray[predicted.length];
        float[] residual = new float[p.length];
        for (int o = 0; o < predicted.length; o++) {
            labels[o] = predicted[o].dup();
        }
        float[] y = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            y[i] = p[i] < 0.5f ? 1f : 0f;
            residual[i] = p[i] - y[i];
        }
        labels[output] = Nd4j.create(y, new long[]{n, 1});
        INDArray eps = net.inputEpsilon(x, labels, input);
        if (eps == null || !Arrays.equals(eps.shape(), x[input].shape())) {
            throw new IllegalStateException("the backward pass left no gradient at input " + inputName);
        }
        INDArray g = eps.dup('c').reshape(n, eps.length() / n);
        g.diviColumnVector(Nd4j.create(residual, new long[]{n, 1}));
        return new Result(g.reshape(x[input].shape()), p);
    }

    /**
     * A graph that can run one backward pass without clearing its vertices, so that the epsilon the first layers hand
     * to an input vertex can be read ({@code computeGradientAndScore} clears them on the way out).
     */
    private static final class GradientGraph extends ComputationGraph {

        GradientGraph(ComputationGraphConfiguration conf) {
            super(conf);
        }

        synchronized INDArray inputEpsilon(INDArray[] x, INDArray[] labels, int input) {
            setInputs(x);
            setLabels(labels);
            try {
                ffToLayerActivationsDetached(true, FwdPassType.STANDARD, false, vertices.length - 1, null, x, null, null, false);
                calcBackpropGradients(false, false);
                INDArray eps = getVertex(getConfiguration().getNetworkInputs().get(input)).getEpsilon();
                return eps == null ? null : eps.dup();
            } finally {
                clearLayersStates();
                clear();
            }
        }
    }

    public record Result(INDArray gradients, float[] probabilities) {
    }
}
