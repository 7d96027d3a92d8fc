package io.fedlake.features.definition;

import io.fedlake.core.LakePaths;

import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one feature view YAML document. Every problem is reported as a {@link DefinitionException}
 * naming the file and the field ({@code features[1].validation.action}); unknown fields are errors too, so a typo
 * such as {@code windw} does not silently drop a window. Expressions are parsed with Spark's SQL parser here, so a
 * syntax error surfaces at load time rather than in the middle of a job; whether the columns exist is checked
 * against the source schema by {@code FeatureStore#check}.
 */
public final class DefinitionLoader {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> TYPES = Set.of("double", "float", "bigint", "int", "smallint", "tinyint", "boolean", "string", "date", "timestamp");
    /** Tables the store itself keeps under {@code features.}; a view cannot take these names. */
    public static final Set<String> RESERVED = Set.of("statistics", "drift", "training_sets", "training_statistics");

    private static final Set<String> VIEW_FIELDS = Set.of("name", "version", "description", "owner", "entity", "join_keys", "source",
            "event_timestamp", "filter", "ttl", "features");
    private static final Set<String> FEATURE_FIELDS = Set.of("name", "expr", "window", "type", "description", "validation");
    private static final Set<String> RULE_FIELDS = Set.of("min", "max", "max_null_rate", "action");

    private DefinitionLoader() {
    }

    /** @param file name used in messages (usually the file name) */
    public static FeatureViewDefinition parse(String file, String yaml) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (MarkedYAMLException e) {
            throw new DefinitionException(file, "line " + (e.getProblemMark().getLine() + 1), "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new DefinitionException(file, "document", "not valid YAML: " + e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new DefinitionException(file, "document", "expected a mapping with name, version, source, … , features; got "
                    + (doc == null ? "an empty document" : doc.getClass().getSimpleName()));
        }
        Fields v = new Fields(file, "", m, VIEW_FIELDS);

        String name = v.string("name", true);
        if (!NAME.matcher(name).matches()) {
            v.fail("name", "must be lower case letters, digits and '_', starting with a letter, got '" + name + "'");
        }
        if (RESERVED.contains(name)) {
            v.fail("name", "'" + name + "' is reserved for the store's own table features." + name);
        }
        int version = v.integer("version");
        if (version < 1) {
            v.fail("version", "must be ≥ 1, got " + version);
        }
        String description = v.string("description", true);
        String owner = v.string("owner", true);
        String entity = v.string("entity", true);
        List<String> keys = v.stringList("join_keys");
        for (int i = 0; i < keys.size(); i++) {
            column(v, "join_keys[" + i + "]", keys.get(i));
        }
        if (new HashSet<>(keys).size() != keys.size()) {
            v.fail("join_keys", "must not repeat a column, got " + keys);
        }
        String source = v.string("source", true);
        if (!LakePaths.isTableName(source)) {
            v.fail("source", "must be schema.table in lower case, e.g. raw.credit, got '" + source + "'");
        }
        String ts = column(v, "event_timestamp", v.string("event_timestamp", true));
        String filter = v.string("filter", false);
        if (filter != null) {
            sql(v, "filter", filter);
        }
        Duration ttl = v.duration("ttl", true);

        Object rawFeatures = v.get("features", true);
        if (!(rawFeatures instanceof List<?> list) || list.isEmpty()) {
            throw v.error("features", "must be a non-empty list of features");
        }
        Set<String> taken = new LinkedHashSet<>(keys);
        taken.add(FeatureViewDefinition.EVENT_TS);
        taken.add(FeatureViewDefinition.EVENT_DATE);
        List<FeatureDefinition> features = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "features[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> fm)) {
                throw v.error(at, "must be a mapping with name and expr");
            }
            Fields f = new Fields(file, at + ".", fm, FEATURE_FIELDS);
            String fname = f.string("name", true);
            if (!NAME.matcher(fname).matches()) {
                f.fail("name", "must be lower case letters, digits and '_', starting with a letter, got '" + fname + "'");
            }
            if (!taken.add(fname)) {
                f.fail("name", "'" + fname + "' is already a join key, a feature or a reserved column (" + FeatureViewDefinition.EVENT_TS + ", "
                        + FeatureViewDefinition.EVENT_DATE + ") of this view");
            }
            String expr = f.string("expr", true);
            Expression parsed = sql(f, "expr", expr);
            Duration window = f.duration("window", false);
            if (window != null && !(parsed instanceof UnresolvedFunction)) {
                f.fail("expr", "with a window the expression must be one aggregate call such as count(*) or avg(x), got '" + expr + "'");
            }
            String type = f.string("type", false);
            if (type == null) {
                type = "double";
            }
            type = type.toLowerCase(Locale.ROOT);
            if (!TYPES.contains(type)) {
                f.fail("type", "unknown type '" + type + "'; expected one of " + new java.util.TreeSet<>(TYPES));
            }
            String fdesc = f.string("description", false);
            ValidationRule rule = null;
            Object rawRule = f.get("validation", false);
            if (rawRule != null) {
                if (!(rawRule instanceof Map<?, ?> rm)) {
                    throw f.error("validation", "must be a mapping with min, max, max_null_rate and action");
                }
                rule = rule(new Fields(file, at + ".validation.", rm, RULE_FIELDS), type);
            }
            features.add(new FeatureDefinition(fname, expr, window, type, fdesc == null ? "" : fdesc, rule));
        }
        return new FeatureViewDefinition(name, version, description, owner, entity, keys, source, ts, filter, ttl, features, file);
    }

    private static ValidationRule rule(Fields r, String type) {
        Double min = r.number("min");
        Double max = r.number("max");
        Double maxNull = r.number("max_null_rate");
        if (min == null && max == null && maxNull == null) {
            r.fail("", "needs at least one of min, max, max_null_rate");
        }
        if (min != null && max != null && min > max) {
            r.fail("min", "must be ≤ max, got min " + min + " > max " + max);
        }
        if ((min != null || max != null) && Set.of("string", "boolean", "date", "timestamp").contains(type)) {
            r.fail(min != null ? "min" : "max", "a range needs a numeric feature, this one is " + type);
        }
        if (maxNull != null && !(maxNull >= 0 && maxNull <= 1)) {
            r.fail("max_null_rate", "must be in [0, 1], got " + maxNull);
        }
        String action = r.string("action", false);
        ValidationRule.Action a;
        if (action == null) {
            a = ValidationRule.Action.FAIL;
        } else if (action.equals("fail")) {
            a = ValidationRule.Action.FAIL;
        } else if (action.equals("quarantine")) {
            a = ValidationRule.Action.QUARANTINE;
        } else {
            throw r.error("action", "must be fail or quarantine, got '" + action + "'");
        }
        return new ValidationRule(min, max, maxNull, a);
    }

    private static String column(Fields f, String field, String value) {
        if (!COLUMN.matcher(value).matches()) {
            f.fail(field, "must be a plain column name, got '" + value + "'");
        }
        return value;
    }

    private static Expression sql(Fields f, String field, String text) {
        try {
            return CatalystSqlParser$.MODULE$.parseExpression(text);
        } catch (Exception e) { // Spark's ParseException is a checked exception in Java's eyes
            String msg = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
            throw f.error(field, "not a Spark SQL expression: '" + text + "' (" + msg + ")");
        }
    }

    /** Typed access to one YAML mapping, with errors naming {@code file: prefix+field}. */
    private static final class Fields {
        private final String file;
        private final String prefix;
        private final Map<?, ?> map;

        Fields(String file, String prefix, Map<?, ?> map, Set<String> allowed) {
            this.file = file;
            this.prefix = prefix;
            this.map = map;
            for (Object k : map.keySet()) {
                if (!(k instanceof String s) || !allowed.contains(s)) {
                    throw error(String.valueOf(k), "unknown field; expected one of " + new java.util.TreeSet<>(allowed));
                }
            }
        }

        DefinitionException error(String field, String problem) {
            String at = prefix + field;
            if (at.endsWith(".")) {
                at = at.substring(0, at.length() - 1);
            }
            return new DefinitionException(file, at, problem);
        }

        void fail(String field, String problem) {
            throw error(field, problem);
        }

        Object get(String field, boolean required) {
            Object o = map.get(field);
            if (o == null && required) {
                throw error(field, "is required");
            }
            return o;
        }

        String string(String field, boolean required) {
            Object o = get(field, required);
            if (o == null) {
                return null;
            }
            if (!(o instanceof String s)) {
                throw error(field, "must be text, got " + o);
            }
            if (s.isBlank()) {
                if (required) {
                    throw error(field, "must not be blank");
                }
                return null;
            }
            return s.strip();
        }

        int integer(String field) {
            Object o = get(field, true);
            if (!(o instanceof Integer i)) {
                throw error(field, "must be a whole number, got '" + o + "'");
            }
            return i;
        }

        Double number(String field) {
            Object o = get(field, false);
            if (o == null) {
                return null;
            }
            if (!(o instanceof Number n) || Double.isNaN(n.doubleValue())) {
                throw error(field, "must be a number, got '" + o + "'");
            }
            return n.doubleValue();
        }

        Duration duration(String field, boolean required) {
            String s = string(field, required);
            if (s == null) {
                return null;
            }
            try {
                return Durations.parse(s);
            } catch (IllegalArgumentException e) {
                throw error(field, e.getMessage());
            }
        }

        List<String> stringList(String field) {
            Object o = get(field, true);
            List<?> raw = o instanceof List<?> l ? l : List.of(o);
            if (raw.isEmpty()) {
                throw error(field, "must name at least one column");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                if (!(raw.get(i) instanceof String s) || s.isBlank()) {
                    throw error(field + "[" + i + "]", "must be a column name, got '" + raw.get(i) + "'");
                }
                out.add(s.strip());
            }
            return out;
        }
    }
}
