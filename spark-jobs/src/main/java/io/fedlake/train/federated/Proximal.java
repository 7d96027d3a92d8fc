package io.fedlake.train.federated;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FedProx's proximal term (Li et al. 2020, "Federated Optimization in Heterogeneous Networks"): the local objective
 * adds {@code μ/2 · ‖w − w_global‖²}, whose gradient is {@code μ · (w − w_global)}. It is applied after each
 * optimiser step as a decoupled gradient step {@code w ← w − lr·μ·(w − w_global)}, exactly the proximal gradient
 * under SGD and a close stand-in under adaptive optimisers.
 */
final class Proximal {

    private Proximal() {
    }

    /** In place on the network's parameter view. */
    static void step(INDArray params, INDArray global, double lrTimesMu) {
        params.subi(params.sub(global).muli(lrTimesMu));
    }
}
