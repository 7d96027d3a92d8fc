package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code credit-mlp}: standardised numeric features plus one learned embedding per categorical feature
 * (width ≈ 1 + √cardinality), concatenated → ReLU dense layers (default 64, 32) with dropout → one sigmoid head
 * per binary output (probability of default within 12 months).
 */
public final class CreditMlp implements Architecture {

    public static final String NAME = "credit-mlp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "MLP for tabular data: numeric + embedded categorical features → probability";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        GraphBuilders.require(spec.imageInputs().isEmpty(), NAME, "takes no image input; use imaging-fusion or defect-fusion");
        GraphBuilders.require(!p.hiddenLayers().isEmpty(), NAME, "needs at least one hidden layer; use 'logreg' for a linear model");
        GraphBuilder g = GraphBuilders.start(spec, p);
        String tabular = GraphBuilders.tabularBranch(g, spec, "");
        return GraphBuilders.finish(g, spec, GraphBuilders.trunk(g, tabular, p.hiddenLayers(), p.dropout(), ""));
    }
}
