package io.fedlake.preset;

import io.fedlake.translate.DataSpec;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The three data domains Fedlake ships presets for, with their raw table, entity key, client key and date column. */
public enum Domain {
    CREDIT("raw.credit", "application_id", "branch_id", "application_date"),
    IMAGING("raw.imaging", "image_id", "hospital_id", "study_date"),
    DEFECT("raw.defect", "inspection_id", "plant_id", "inspection_date");

    private final String rawTable;
    private final String entityKey;
    private final String clientKey;
    private final String dateColumn;

    Domain(String rawTable, String entityKey, String clientKey, String dateColumn) {
        this.rawTable = rawTable;
        this.entityKey = entityKey;
        this.clientKey = clientKey;
        this.dateColumn = dateColumn;
    }

    public String rawTable() {
        return rawTable;
    }

    public String entityKey() {
        return entityKey;
    }

    public String clientKey() {
        return clientKey;
    }

    public String dateColumn() {
        return dateColumn;
    }

    /** Lower-case name used on the command line and in table names. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The columns training reads for this domain, and its outputs. */
    public DataSpec dataSpec() {
        return switch (this) {
            case CREDIT -> DomainPresets.credit();
            case IMAGING -> DomainPresets.imaging();
            case DEFECT -> DomainPresets.defect();
        };
    }

    /** Whether the domain's rows carry an image (its models can be asked for image explanations). */
    public boolean hasImages() {
        return dataSpec().imageColumn() != null;
    }

    /** The raw table's typed schema: what the generator writes and what a CSV of this domain is read as. */
    public StructType rawSchema() {
        return switch (this) {
            case CREDIT -> DomainPresets.CREDIT_SCHEMA;
            case IMAGING -> DomainPresets.IMAGING_SCHEMA;
            case DEFECT -> DomainPresets.DEFECT_SCHEMA;
        };
    }

    public String scoresTable() {
        return "scores." + id();
    }

    public String quarantineTable() {
        return "quarantine." + id();
    }

    public static Domain parse(String s) {
        for (Domain d : values()) {
            if (d.id().equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown domain '" + s + "'; expected one of "
                + Arrays.stream(values()).map(Domain::id).collect(Collectors.joining(", ")));
    }
}
