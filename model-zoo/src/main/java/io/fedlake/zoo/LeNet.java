package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;

/**
 * {@code lenet}: the image-only baseline in the style of LeCun et al. 1998 — conv 5×5 (20) → max-pool 2 →
 * conv 5×5 (50) → max-pool 2 → dense layers → heads. Tabular inputs are not allowed (compare it with a fusion
 * model to see what the clinical or sensor data add).
 */
public final class LeNet implements Architecture {

    public static final String NAME = "lenet";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "LeNet-style CNN baseline over the image only";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        GraphBuilders.require(spec.inputs().size() == 1 && spec.imageInputs().size() == 1, NAME, "takes exactly one image input and nothing else");
        GraphBuilder g = GraphBuilders.start(spec, p);
        String image = spec.imageInputs().get(0).name();
        g.addLayer("conv0", new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build(), image);
        g.addLayer("pool0", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "conv0");
        g.addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build(), "pool0");
        g.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "conv1");
        return GraphBuilders.finish(g, spec, GraphBuilders.trunk(g, "pool1", p.hiddenLayers(), p.dropout(), ""));
    }
}
