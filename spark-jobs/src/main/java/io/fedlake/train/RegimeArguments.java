package io.fedlake.train;

/** What a {@link RegimeFactory} reads from the command line: each option's value (its default when not given). */
public interface RegimeArguments {

    /**
     * @param option long option name, e.g. {@code --rounds}
     * @param type   the option's type (boxed for primitives); null values are returned as null
     */
    <T> T value(String option, Class<T> type);
}
