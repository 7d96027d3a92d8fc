package io.fedlake.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code defect-fusion}: the same image CNN and dense branch as {@link ImagingFusion}, over the surface image and
 * the line's sensor readings, with one head per output — typically a softmax over the defect types
 * (none/scratch/spot/crack) and a sigmoid defect probability trained jointly.
 */
public final class DefectFusion implements Architecture {

    public static final String NAME = "defect-fusion";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "CNN over the surface image + dense branch over sensors → defect type (softmax) and defect probability";
    }

    @Override
    public ComputationGraph build(ModelSpec spec, ModelHyperParams p) {
        return ImagingFusion.fusion(NAME, spec, p);
    }
}
