package io.fedlake.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * {@code credit-mlp}: standardised numeric features plus one-hot categorical features
 * (width = {@code inputWidth}) → ReLU hidden layers (default 64, 32) with dropout → sigmoid output, the
 * probability of default within 12 months.
 */
public final class CreditMlp implements Architecture {

    public static final String NAME = "credit-mlp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "MLP for tabular credit data: numeric + one-hot categorical → P(default)";
    }

    @Override
    public MultiLayerNetwork build(int inputWidth, ModelHyperParams params) {
        if (params.hiddenLayers().isEmpty()) {
            throw new IllegalArgumentException("credit-mlp needs at least one hidden layer; use 'logreg' for a linear model");
        }
        return DenseNetworks.binaryClassifier(inputWidth, params);
    }
}
