package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Builds feed-forward binary classifiers: ReLU hidden layers and one sigmoid output trained with cross-entropy. */
final class DenseNetworks {

    private DenseNetworks() {
    }

    static MultiLayerNetwork binaryClassifier(int inputWidth, ModelHyperParams p) {
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be ≥ 1, got " + inputWidth);
        }
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(p.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(p.learningRate()))
                .l2(p.l2())
                .weightInit(WeightInit.RELU)
                .list();
        int in = inputWidth;
        int index = 0;
        for (int width : p.hiddenLayers()) {
            DenseLayer.Builder dense = new DenseLayer.Builder().nIn(in).nOut(width).activation(Activation.RELU);
            if (p.dropout() > 0) {
                // DL4J's dropout argument is the probability of *retaining* an activation.
                dense.dropOut(1.0 - p.dropout());
            }
            list.layer(index++, dense.build());
            in = width;
        }
        list.layer(index, new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                .nIn(in).nOut(1).activation(Activation.SIGMOID).weightInit(WeightInit.XAVIER).build());
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
