package io.fedlake.features.transform;

import io.fedlake.features.definition.FeatureDefinition;
import io.fedlake.features.definition.FeatureViewDefinition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

/**
 * Turns source rows into feature rows: one output row per source row (entity, event time), with row-level
 * expressions evaluated on the row and windowed aggregates over the same entity's rows in {@code [t - window, t]}.
 * The windows are Spark range windows over the event time in microseconds, partitioned by the join keys — one
 * shuffle and sort, whatever the number of windowed features.
 */
public final class FeatureTransform {

    private FeatureTransform() {
    }

    /** The feature's output column: the expression (over its window if it has one), cast to its type and named. */
    public static Column featureColumn(FeatureViewDefinition d, FeatureDefinition f) {
        Column c = expr(f.expr());
        if (f.windowed()) {
            long micros = f.window().toNanos() / 1_000;
            c = c.over(entityTimeline(d).rangeBetween(-micros, 0));
        }
        return c.cast(f.type()).as(f.name());
    }

    private static WindowSpec entityTimeline(FeatureViewDefinition d) {
        return Window.partitionBy(d.joinKeys().stream().map(k -> col(k)).toArray(Column[]::new))
                .orderBy(expr("unix_micros(" + quote(d.eventTimestamp()) + ")"));
    }

    /**
     * Feature rows of events dated {@code from..to} (inclusive, dates in the session time zone). Source rows up to the
     * longest window before {@code from} are read so windows at the start of the range are complete; rows with a
     * null key or event time are dropped (they can never be looked up).
     */
    public static Dataset<Row> compute(FeatureViewDefinition d, Dataset<Row> source, LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to must not be before --from, got " + from + " .. " + to);
        }
        String ts = quote(d.eventTimestamp());
        long lookbackMicros = d.lookback().toNanos() / 1_000;
        Dataset<Row> in = source;
        if (d.filter() != null) {
            in = in.where(expr(d.filter()));
        }
        Column keep = col(d.eventTimestamp()).isNotNull()
                .and(expr("unix_micros(" + ts + ") >= unix_micros(timestamp'" + from + " 00:00:00') - " + lookbackMicros))
                .and(to_date(col(d.eventTimestamp())).leq(lit(to.toString()).cast("date")));
        for (String k : d.joinKeys()) {
            keep = keep.and(col(k).isNotNull());
        }
        List<Column> out = new ArrayList<>();
        d.joinKeys().forEach(k -> out.add(col(k)));
        out.add(col(d.eventTimestamp()).as(FeatureViewDefinition.EVENT_TS));
        out.add(to_date(col(d.eventTimestamp())).as(FeatureViewDefinition.EVENT_DATE));
        for (FeatureDefinition f : d.features()) {
            out.add(featureColumn(d, f));
        }
        return in.where(keep).select(out.toArray(Column[]::new))
                .where(col(FeatureViewDefinition.EVENT_DATE).geq(lit(from.toString()).cast("date")));
    }

    /** Delta replaceWhere predicate of a date range. */
    public static String rangePredicate(LocalDate from, LocalDate to) {
        return FeatureViewDefinition.EVENT_DATE + " >= '" + from + "' AND " + FeatureViewDefinition.EVENT_DATE + " <= '" + to + "'";
    }

    private static String quote(String column) {
        return "`" + column + "`";
    }
}
