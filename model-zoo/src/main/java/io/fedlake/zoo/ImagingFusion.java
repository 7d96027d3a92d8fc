package io.fedlake.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * {@code imaging-fusion}: a CNN over the study image (three blocks of a 3×3 convolution and 2×2 max-pooling,
 * 16/32/64 channels, then global max pooling → 64 features; about 10 M multiply-adds per 64×64 image, sized
 * for CPU executors) fused with a dense branch over the clinical
 * features (numeric + embedded categorical → 32), concatenated → dense layers → finding probability.
 * Inputs: one image (e.g. 1×64×64) and at least one tabular input.
 */
public final class ImagingFusion implements Architecture {

    public static final String NAME = "imaging-fusion";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "CNN over the image + dense branch over clinical features, fused → finding probability";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        return fusion(NAME, spec, p);
    }

    static ComputationGraph fusion(String name, ModelSpec spec, ModelHyperParams p) {
        GraphBuilders.require(spec.imageInputs().size() == 1, name, "needs exactly one image input, got " + spec.imageInputs().size());
        GraphBuilders.require(!spec.tabularInputs().isEmpty(), name, "needs at least one tabular input besides the image");
        GraphBuilder g = GraphBuilders.start(spec, p);
        String image = GraphBuilders.cnnBranch(g, spec.imageInputs().get(0), new int[]{16, 32, 64}, "img_");
        String tabular = GraphBuilders.trunk(g, GraphBuilders.tabularBranch(g, spec, "tab_"), List.of(32), 0.0, "tab_");
        String fused = GraphBuilders.merge(g, "fusion", image, tabular);
        return GraphBuilders.finish(g, spec, GraphBuilders.trunk(g, fused, p.hiddenLayers(), p.dropout(), "head_"));
    }
}
