package io.fedlake.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/** {@code logreg}: the linear baseline, a single sigmoid unit over the preprocessed inputs. Hidden layers are ignored. */
public final class LogisticRegression implements Architecture {

    public static final String NAME = "logreg";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "logistic regression baseline (no hidden layers)";
    }

    @Override
    public MultiLayerNetwork build(int inputWidth, ModelHyperParams params) {
        ModelHyperParams linear = new ModelHyperParams(List.of(), 0.0, params.learningRate(), params.l2(), params.seed());
        return DenseNetworks.binaryClassifier(inputWidth, linear);
    }
}
