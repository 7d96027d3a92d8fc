package io.fedlake.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Column names that work everywhere a table's columns go: Spark column references (where a dot means a struct
 * field), SQL, Delta and Parquet (which refuse spaces, commas, braces, parentheses and '='). Ingest renames what
 * does not fit, records the mapping in the table's properties and prints it; the rule is one place.
 *
 * <p>Letters and digits of any script, '_' and '-' are kept; every other character becomes '_'. Names that would
 * collide, case-insensitively as Spark compares them, get a numeric suffix.
 */
public final class ColumnNames {

    private ColumnNames() {
    }

    /** Whether {@code name} is kept as it is. */
    public static boolean isSafe(String name) {
        return !name.isEmpty() && name.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-');
    }

    /** The safe spelling of one name (without the collision suffix). */
    public static String safe(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(c -> b.appendCodePoint(Character.isLetterOrDigit(c) || c == '-' ? c : '_'));
        String s = b.toString();
        return s.isEmpty() ? "_" : s;
    }

    /**
     * Original name → safe name for every column, in order; unchanged names map to themselves. Unique
     * case-insensitively.
     */
    public static Map<String, String> normalise(List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        List<String> renamed = new ArrayList<>();
        for (String n : names) {
            if (isSafe(n) && taken.add(n.toLowerCase(Locale.ROOT))) {
                out.put(n, n);
            } else {
                renamed.add(n);
            }
        }
        for (String n : renamed) {
            String base = safe(n);
            String candidate = base;
            for (int i = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); i++) {
                candidate = base + "_" + i;
            }
            out.put(n, candidate);
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        names.forEach(n -> ordered.put(n, out.get(n)));
        return ordered;
    }

    /** Only the renamed entries of {@link #normalise}. */
    public static Map<String, String> renamed(Map<String, String> mapping) {
        Map<String, String> r = new LinkedHashMap<>();
        mapping.forEach((k, v) -> {
            if (!k.equals(v)) {
                r.put(k, v);
            }
        });
        return r;
    }
}
