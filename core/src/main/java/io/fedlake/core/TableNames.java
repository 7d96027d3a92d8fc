package io.fedlake.core;

/**
 * Table and column names that more than one module writes or reads, defined once. Domain tables (raw.credit,
 * scores.imaging, …) belong to the presets of the jobs that own them, not here.
 */
public final class TableNames {

    /**
     * The column in which ingest, feature validation and scoring carry why a row is not usable (null or empty
     * when it is); quarantine tables keep it as {@code reason}.
     */
    public static final String QUARANTINE_REASON = "quarantine_reason";

    private TableNames() {
    }
}
