package io.fedlake.train.federated;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The FedProx proximal term (Li et al. 2020, "Federated Optimization in Heterogeneous Networks"): a client minimises
 * {@code F_k(w) + (μ/2)·‖w − w_global‖²}, whose gradient adds {@code μ·(w − w_global)} to the loss gradient.
 *
 * <p>The engine applies that term as a decoupled step right after each local optimiser step (in the way AdamW
 * decouples weight decay): {@code w ← w − lr·μ·(w − w_global)}. For plain SGD this is exactly the gradient step on
 * the proximal objective; for adaptive local optimisers it is the decoupled variant, which does not rescale the
 * proximal pull by the optimiser's per-coordinate statistics.
 */
public final class Proximal {

    private Proximal() {
    }

    /**
     * {@code params ← params − lrTimesMu·(params − global)}, in place.
     *
     * @param lrTimesMu local learning rate times μ; in [0, 1] (above 1 the step overshoots the global parameters)
     */
    public static void step(float[] params, float[] global, double lrTimesMu) {
        if (params.length != global.length) {
            throw new IllegalArgumentException("parameter lengths differ: local " + params.length + ", global " + global.length);
        }
        if (!(lrTimesMu >= 0 && lrTimesMu <= 1)) {
            throw new IllegalArgumentException("learning rate × proximal mu must be in [0, 1], got " + lrTimesMu);
        }
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (params[i] - lrTimesMu * ((double) params[i] - global[i]));
        }
    }

    /** The same step on a network's flat parameter view, in place (what a client task calls after each fit). */
    public static void step(INDArray params, INDArray global, double lrTimesMu) {
        if (params.length() != global.length()) {
            throw new IllegalArgumentException("parameter lengths differ: local " + params.length() + ", global " + global.length());
        }
        if (!(lrTimesMu >= 0 && lrTimesMu <= 1)) {
            throw new IllegalArgumentException("learning rate × proximal mu must be in [0, 1], got " + lrTimesMu);
        }
        params.subi(params.sub(global.reshape(params.shape())).muli(lrTimesMu));
    }
}
