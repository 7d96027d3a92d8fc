package io.fedlake.zoo;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Looks architectures up by name among those registered with {@link ServiceLoader}. */
public final class Architectures {

    private Architectures() {
    }

    /** All registered architectures, sorted by name. */
    public static Map<String, Architecture> all() {
        Map<String, Architecture> byName = new TreeMap<>();
        for (Architecture a : ServiceLoader.load(Architecture.class, Architectures.class.getClassLoader())) {
            Architecture previous = byName.put(a.name(), a);
            if (previous != null) {
                throw new IllegalStateException("two architectures are registered as '" + a.name() + "': "
                        + previous.getClass().getName() + " and " + a.getClass().getName());
            }
        }
        return byName;
    }

    /**
     * @throws IllegalArgumentException naming the known architectures when {@code name} is not registered
     */
    public static Architecture byName(String name) {
        Map<String, Architecture> all = all();
        Architecture a = all.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown model architecture '" + name + "'; known: " + String.join(", ", all.keySet()));
        }
        return a;
    }
}
