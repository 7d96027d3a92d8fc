package io.fedlake.train.federated;

import java.io.Serializable;

/**
 * What one client returns after local training: the change of the parameters it trained, {@code delta = local − global}
 * (a flat vector in the network's parameter order), the number of examples it trained on (the FedAvg weight), its mean
 * training loss, and the local minibatch steps it actually took (fewer than instructed for a straggler).
 */
public record ClientUpdate(String clientId, float[] delta, long examples, double trainLoss, int localSteps) implements Serializable {

    public ClientUpdate {
        if (delta == null) {
            throw new IllegalArgumentException("delta must not be null (client " + clientId + ")");
        }
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be ≥ 0, got " + examples + " (client " + clientId + ")");
        }
    }
}
