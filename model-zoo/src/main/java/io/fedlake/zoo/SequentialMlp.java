package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code sequential-mlp}: a plain DL4J {@link MultiLayerNetwork} (one dense input, hidden ReLU layers, one head),
 * the kind of single-input model users bring from DL4J examples. Fedlake trains and scores every model as a
 * ComputationGraph, so the network is converted with {@link MultiLayerNetwork#toComputationGraph()}, which keeps
 * its layers and parameters; this is how MultiLayerNetworks go through both training regimes. It needs numeric
 * features only (no categorical or image inputs) and one output.
 */
public final class SequentialMlp implements Architecture {

    public static final String NAME = "sequential-mlp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "MultiLayerNetwork MLP over numeric features (converted to a ComputationGraph)";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        GraphBuilders.require(spec.inputs().size() == 1 && spec.inputs().get(0) instanceof ModelSpec.Dense, NAME,
                "takes numeric features only (one dense input, no categorical or image inputs); got " + spec.inputs());
        GraphBuilders.require(spec.outputs().size() == 1, NAME, "has one output; got " + spec.outputs());
        return network(spec, p).toComputationGraph();
    }

    /** The MultiLayerNetwork itself, initialised. */
    public static MultiLayerNetwork network(ModelSpec spec, ModelHyperParams p) {
        int width = ((ModelSpec.Dense) spec.inputs().get(0)).width();
        ModelSpec.Output out = spec.outputs().get(0);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(p.seed())
                .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .updater(p.dl4jUpdater())
                .l2(p.l2())
                .weightInit(WeightInit.RELU)
                .list();
        int in = width;
        for (int h : p.hiddenLayers()) {
            DenseLayer.Builder d = new DenseLayer.Builder().nIn(in).nOut(h).activation(Activation.RELU);
            if (p.dropout() > 0) {
                d.dropOut(1.0 - p.dropout()); // DL4J's argument is the probability of retaining an activation
            }
            list.layer(d.build());
            in = h;
        }
        OutputLayer.Builder head = GraphBuilders.head(out);
        MultiLayerConfiguration conf = list.layer(head.nIn(in).nOut(out.units()).weightInit(WeightInit.XAVIER).build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
