package io.fedlake.features.definition;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in definitions: a positive whole number and a unit, {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,9})\\s*([dhms])");

    private Durations() {
    }

    /** @throws IllegalArgumentException describing the expected form */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("bad duration '" + text + "' (expected a positive number and a unit d, h, m or s, e.g. 90d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** The shortest spelling {@link #parse} accepts for {@code d}. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
