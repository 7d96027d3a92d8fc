package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code logreg}: the linear baseline. Numeric inputs and one-dimensional embeddings of the categorical inputs
 * (exactly one weight per category, as one-hot logistic regression) feed the output heads directly.
 */
public final class LogisticRegression implements Architecture {

    public static final String NAME = "logreg";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "logistic regression baseline over numeric and categorical features";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        GraphBuilders.require(spec.imageInputs().isEmpty(), NAME, "takes no image input; use lenet for a baseline image model");
        GraphBuilder g = GraphBuilders.start(spec, p);
        return GraphBuilders.finish(g, spec, GraphBuilders.tabularBranch(g, spec, "", true));
    }

}
