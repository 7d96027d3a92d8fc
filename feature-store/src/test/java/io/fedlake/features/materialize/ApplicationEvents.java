package io.fedlake.features.materialize;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded credit-application events for feature-store tests: several applications per applicant over Q1 2024, which
 * raw.credit (one application per applicant) does not have — so applicant-history windows have something to count.
 */
public final class ApplicationEvents {

    public static final StructType SCHEMA = new StructType()
            .add("application_id", DataTypes.StringType, false)
            .add("applicant_id", DataTypes.StringType, false)
            .add("application_ts", DataTypes.TimestampType, false)
            .add("loan_amount", DataTypes.DoubleType, false)
            .add("debt_to_income", DataTypes.DoubleType, true)
            .add("defaulted", DataTypes.IntegerType, false);

    public static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    public static final long SPAN_SECONDS = 90L * 24 * 3600;

    private ApplicationEvents() {
    }

    /** @param applicants how many applicants, each with 1–6 applications */
    public static List<Row> generate(long seed, int applicants) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        int id = 0;
        for (int a = 0; a < applicants; a++) {
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                Instant ts = START.plusSeconds((long) (r.nextDouble() * SPAN_SECONDS));
                rows.add(RowFactory.create(String.format("APP-%05d", id++), String.format("CUS-%03d", a), Timestamp.from(ts),
                        Math.round(1_000 + r.nextDouble() * 19_000) * 1.0, Math.round(r.nextDouble() * 1000) / 1000.0, r.nextInt(10) == 0 ? 1 : 0));
            }
        }
        return rows;
    }
}
