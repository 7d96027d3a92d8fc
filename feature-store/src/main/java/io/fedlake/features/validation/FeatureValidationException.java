package io.fedlake.features.validation;

/** A materialisation broke a feature's {@code action: fail} rule; nothing was written. */
public final class FeatureValidationException extends RuntimeException {

    public FeatureValidationException(String message) {
        super(message);
    }
}
