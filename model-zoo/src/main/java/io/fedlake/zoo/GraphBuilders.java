package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/** Building blocks shared by the architectures: tabular branch, CNN branch, dense trunk and output heads. */
final class GraphBuilders {

    private GraphBuilders() {
    }

    /** A graph builder with the spec's inputs declared (names and shapes) and the common training settings. */
    static GraphBuilder start(ModelSpec spec, ModelHyperParams p) {
        GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(p.seed())
                .dataType(DataType.FLOAT)
                .updater(p.dl4jUpdater())
                .l2(p.l2())
                .weightInit(WeightInit.RELU)
                .graphBuilder();
        List<InputType> types = new ArrayList<>();
        for (ModelSpec.Input in : spec.inputs()) {
            g.addInputs(in.name());
            if (in instanceof ModelSpec.Dense d) {
                types.add(InputType.feedForward(d.width()));
            } else if (in instanceof ModelSpec.Categorical c) {
                // Declared by cardinality so shape inference gives the embedding nIn = cardinality; the data is [batch, 1] indexes.
                types.add(InputType.feedForward(c.cardinality()));
            } else if (in instanceof ModelSpec.Image i) {
                types.add(InputType.convolutional(i.height(), i.width(), i.channels()));
            }
        }
        g.setInputTypes(types.toArray(new InputType[0]));
        return g;
    }

    /**
     * Dense inputs as they are and each categorical input through its own embedding, merged into one vector.
     *
     * @return the vertex name of the merged tabular vector, or null when the spec has no tabular inputs
     */
    static String tabularBranch(GraphBuilder g, ModelSpec spec, String prefix) {
        return tabularBranch(g, spec, prefix, false);
    }

    /** As above; with {@code linear} each category gets a single number (one-hot logistic regression). */
    static String tabularBranch(GraphBuilder g, ModelSpec spec, String prefix, boolean linear) {
        List<String> parts = new ArrayList<>();
        for (ModelSpec.Input in : spec.tabularInputs()) {
            if (in instanceof ModelSpec.Categorical c) {
                String name = prefix + "embed_" + c.name();
                g.addLayer(name, new EmbeddingLayer.Builder().nIn(c.cardinality()).nOut(linear ? 1 : c.embeddingWidth())
                        .activation(Activation.IDENTITY).hasBias(false).weightInit(WeightInit.XAVIER).build(), c.name());
                parts.add(name);
            } else {
                parts.add(in.name());
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        g.addVertex(prefix + "tabular", new MergeVertex(), parts.toArray(new String[0]));
        return prefix + "tabular";
    }

    /** Small CNN: per width a 3×3 convolution (same padding, ReLU) and 2×2 max-pooling, then global max pooling. */
    static String cnnBranch(GraphBuilder g, ModelSpec.Image image, int[] widths, String prefix) {
        String last = image.name();
        for (int b = 0; b < widths.length; b++) {
            String conv = prefix + "conv" + b;
            String pool = prefix + "pool" + b;
            g.addLayer(conv, new ConvolutionLayer.Builder(3, 3).nOut(widths[b]).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU).build(), last);
            g.addLayer(pool, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), conv);
            last = pool;
        }
        // Max, not average: a lesion or a scratch covers a few percent of the image and averaging would wash it out.
        g.addLayer(prefix + "gap", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), last);
        return prefix + "gap";
    }

    /** ReLU dense layers with dropout, starting from {@code from}; returns the last vertex name. */
    static String trunk(GraphBuilder g, String from, List<Integer> widths, double dropout, String prefix) {
        String last = from;
        for (int i = 0; i < widths.size(); i++) {
            String name = prefix + "dense" + i;
            DenseLayer.Builder d = new DenseLayer.Builder().nOut(widths.get(i)).activation(Activation.RELU);
            if (dropout > 0) {
                d.dropOut(1.0 - dropout); // DL4J's argument is the probability of retaining an activation
            }
            g.addLayer(name, d.build(), last);
            last = name;
        }
        return last;
    }

    static String merge(GraphBuilder g, String name, String... parts) {
        g.addVertex(name, new MergeVertex(), parts);
        return name;
    }

    /** An output's head: sigmoid + cross-entropy for binary, identity + mean squared error for a regression, else softmax + multi-class cross-entropy. */
    static OutputLayer.Builder head(ModelSpec.Output o) {
        if (o.regression()) {
            return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY);
        }
        return o.binary() ? new OutputLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX);
    }

    /** One head per output ({@link #head}). */
    static ComputationGraph finish(GraphBuilder g, ModelSpec spec, String from) {
        List<String> outs = new ArrayList<>();
        for (ModelSpec.Output o : spec.outputs()) {
            OutputLayer.Builder head = GraphBuilders.head(o);
            g.addLayer(o.name(), head.nOut(o.units()).weightInit(WeightInit.XAVIER).build(), from);
            outs.add(o.name());
        }
        g.setOutputs(outs.toArray(new String[0]));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    static void require(boolean ok, String architecture, String what) {
        if (!ok) {
            throw new IllegalArgumentException(architecture + " " + what);
        }
    }
}
