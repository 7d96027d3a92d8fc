package io.fedlake.train;

import io.fedlake.core.Extensions;

import java.util.List;

/** The registered training regimes (see {@link RegimeFactory}), by name. */
public final class Regimes {

    private static final Extensions<RegimeFactory> REGISTERED = Extensions.load(RegimeFactory.class, "training regime");

    private Regimes() {
    }

    /** Names of the registered regimes, sorted. */
    public static List<String> names() {
        return REGISTERED.names();
    }

    /** @throws IllegalArgumentException naming the registered regimes when {@code name} is not one of them */
    public static RegimeFactory factory(String name) {
        return REGISTERED.get(name);
    }

    public static List<RegimeFactory> all() {
        return List.copyOf(REGISTERED.all().values());
    }
}
