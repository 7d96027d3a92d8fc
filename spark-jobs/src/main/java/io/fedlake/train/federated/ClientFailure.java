package io.fedlake.train.federated;

import java.io.Serializable;

/** A selected client that returned no usable update this round (error, timeout, dropped out), with a one-line reason. */
public record ClientFailure(String clientId, String reason) implements Serializable {
}
