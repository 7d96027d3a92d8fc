package io.fedlake.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the columns of an ingested table are for, kept with the table as Delta table properties ({@code fedlake.*})
 * so that later commands need no repeated flags: the entity key (and whether ingest generated it), the label, the
 * client column, the image column, ingest's metadata columns (never features: a file path often names the class
 * folder) and the original → safe column-name mapping. Any field may be null (empty for the lists).
 *
 * @param generatedKey how ingest made the key ({@code content-hash}), or null when it is the user's column
 */
public record TableRoles(String key, String generatedKey, String label, String client, String image, List<String> metadata,
                         Map<String, String> renamed) {

    static final String PREFIX = "fedlake.";
    private static final ObjectMapper JSON = new ObjectMapper();

    public TableRoles {
        metadata = metadata == null ? List.of() : List.copyOf(metadata);
        renamed = renamed == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(renamed));
    }

    public static final TableRoles NONE = new TableRoles(null, null, null, null, null, List.of(), Map.of());

    /** The roles recorded on {@code table}, or {@link #NONE} for a table without them (or no table). */
    public static TableRoles of(Lake lake, String table) {
        if (!lake.exists(table)) {
            return NONE;
        }
        Row detail = DeltaTable.forPath(lake.spark(), lake.pathOf(table)).detail().select("properties").head();
        Map<String, String> p = detail.getJavaMap(0);
        return new TableRoles(p.get(PREFIX + "key"), p.get(PREFIX + "generated_key"), p.get(PREFIX + "label"), p.get(PREFIX + "client"),
                p.get(PREFIX + "image"), split(p.get(PREFIX + "metadata")), parse(p.get(PREFIX + "renamed_columns")));
    }

    /** Roles of this ingest over those already recorded: a field this run leaves null keeps its recorded value. */
    public TableRoles over(TableRoles recorded) {
        Map<String, String> names = new LinkedHashMap<>(recorded.renamed);
        names.putAll(renamed);
        List<String> meta = new ArrayList<>(recorded.metadata);
        metadata.stream().filter(m -> !meta.contains(m)).forEach(meta::add);
        return new TableRoles(key != null ? key : recorded.key, key != null ? generatedKey : recorded.generatedKey, label != null ? label : recorded.label,
                client != null ? client : recorded.client, image != null ? image : recorded.image, meta, names);
    }

    /** The properties to set, without nulls. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        put(p, "key", key);
        put(p, "generated_key", generatedKey);
        put(p, "label", label);
        put(p, "client", client);
        put(p, "image", image);
        put(p, "metadata", metadata.isEmpty() ? null : String.join(",", metadata));
        try {
            put(p, "renamed_columns", renamed.isEmpty() ? null : JSON.writeValueAsString(renamed));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    /**
     * Records these roles on the table, in one commit and only when something changed, so a rerun of the same
     * ingest leaves the table's history as it was.
     */
    public void record(Lake lake, String table) {
        Map<String, String> wanted = properties();
        Map<String, String> current = of(lake, table).properties();
        if (wanted.equals(current)) {
            return;
        }
        String target = "ALTER TABLE delta.`" + lake.pathOf(table).replace("`", "``") + "`";
        List<String> stale = current.keySet().stream().filter(k -> !wanted.containsKey(k)).map(k -> "'" + PREFIX + k + "'").toList();
        if (!stale.isEmpty()) {
            lake.spark().sql(target + " UNSET TBLPROPERTIES IF EXISTS (" + String.join(", ", stale) + ")");
        }
        if (wanted.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder(target + " SET TBLPROPERTIES (");
        List<String> assignments = new ArrayList<>();
        wanted.forEach((k, v) -> assignments.add("'" + PREFIX + k + "' = '" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"));
        sql.append(String.join(", ", assignments)).append(')');
        lake.spark().sql(sql.toString());
    }

    private static void put(Map<String, String> p, String k, String v) {
        if (v != null) {
            p.put(k, v);
        }
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.split(","));
    }

    private static Map<String, String> parse(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("table property " + PREFIX + "renamed_columns is not a JSON object: " + json, e);
        }
    }
}
