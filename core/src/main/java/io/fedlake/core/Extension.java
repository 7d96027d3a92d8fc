package io.fedlake.core;

/**
 * Something registered by name at an extension point (an architecture, a training regime, an aggregation
 * strategy). Implementations are listed in {@code META-INF/services/<extension point interface>} and found by
 * {@link Extensions}, so adding one is one class plus one line there. Implementations need a public no-argument
 * constructor and must be stateless.
 */
public interface Extension {

    /** Stable name used on the command line and recorded in provenance, e.g. {@code credit-mlp} or {@code fedavg}. */
    String name();

    /** One line for listings, help and errors. */
    String description();
}
