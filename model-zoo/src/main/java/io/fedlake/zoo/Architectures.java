package io.fedlake.zoo;

import io.fedlake.core.Extensions;

import java.util.Map;

/** Looks architectures up by name among those registered (see {@link Architecture}). */
public final class Architectures {

    private static final Extensions<Architecture> REGISTERED = Extensions.load(Architecture.class, "model architecture");

    private Architectures() {
    }

    /** All registered architectures, sorted by name. */
    public static Map<String, Architecture> all() {
        return REGISTERED.all();
    }

    /**
     * @throws IllegalArgumentException naming the registered architectures when {@code name} is not one of them
     */
    public static Architecture byName(String name) {
        return REGISTERED.get(name);
    }
}
