package io.fedlake.core;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The implementations of one extension point, found with {@link ServiceLoader} and looked up by name: the one
 * registration mechanism of every extension point. Help texts and errors list {@link #names()}, so they always
 * say what this build has.
 *
 * @param <T> the extension point interface
 */
public final class Extensions<T extends Extension> {

    private final String kind;
    private final Map<String, T> byName;

    private Extensions(String kind, Map<String, T> byName) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Loads every registered implementation of {@code point}.
     *
     * @param kind what an implementation is called in messages, e.g. "model architecture"
     * @throws IllegalStateException when two implementations share a name
     */
    public static <T extends Extension> Extensions<T> load(Class<T> point, String kind) {
        Map<String, T> byName = new TreeMap<>();
        for (T t : ServiceLoader.load(point, point.getClassLoader())) {
            T previous = byName.put(t.name(), t);
            if (previous != null) {
                throw new IllegalStateException("two " + kind + "s are registered as '" + t.name() + "': "
                        + previous.getClass().getName() + " and " + t.getClass().getName());
            }
        }
        return new Extensions<>(kind, byName);
    }

    /** Registered implementations by name, sorted by name. */
    public Map<String, T> all() {
        return byName;
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * @throws IllegalArgumentException naming the registered implementations when {@code name} is not one of them
     */
    public T get(String name) {
        T t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown " + kind + " '" + name + "'; available: " + String.join(", ", byName.keySet()));
        }
        return t;
    }
}
