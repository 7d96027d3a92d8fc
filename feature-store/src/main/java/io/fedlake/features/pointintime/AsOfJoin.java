package io.fedlake.features.pointintime;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

/**
 * Point-in-time ("as-of") join: for every entity row, the latest feature row with the same join keys stamped at or
 * before the entity's event time (strictly before with {@link TiePolicy#EXCLUSIVE}) and not older than the TTL;
 * features are null when there is none. Never a value from the future.
 *
 * <p>Strategy: entity rows and feature rows are unioned, partitioned by the join keys and sorted by (time, side) —
 * at equal times feature rows sort before entity rows for INCLUSIVE and after them for EXCLUSIVE — and
 * {@code last(feature_row, ignoreNulls)} over the running window carries the latest feature row forward onto each
 * entity row. This is one shuffle and a sort per view, linear in the input, unlike a range join or a cross join that
 * pairs every entity row with every earlier feature row. The whole feature row travels as one struct, so a feature
 * whose latest value is null stays null instead of falling back to an older non-null value. Entity rows keep all
 * their columns and their multiplicity (duplicates stay duplicates).
 */
public final class AsOfJoin {

    private static final String TS = "__asof_ts";
    private static final String SIDE = "__asof_side";
    private static final String ENTITY = "__asof_entity";
    private static final String FEATURE = "__asof_feature";
    private static final String FEATURE_TS = "__asof_feature_ts";
    private static final String LATEST = "__asof_latest";

    private AsOfJoin() {
    }

    /**
     * @param entities       entity rows; must have the join keys and {@code entityTs}
     * @param entityTs       the entity's event time column (timestamp)
     * @param features       feature rows: join keys, {@code featureTs} and the feature columns
     * @param ttl            maximal age of a value at the entity's event time (inclusive), or null for no limit
     * @return the entity rows with the feature columns appended (row order is not kept)
     */
    public static Dataset<Row> join(Dataset<Row> entities, String entityTs, Dataset<Row> features, String featureTs,
                                    List<String> keys, List<String> featureColumns, Duration ttl, TiePolicy tie) {
        for (String c : featureColumns) {
            if (List.of(entities.columns()).contains(c)) {
                throw new IllegalArgumentException("feature '" + c + "' has the name of an entity column; rename one of them");
            }
        }
        StructType entityType = entities.schema();
        Column[] featureFields = new Column[featureColumns.size() + 1];
        featureFields[0] = col(featureTs).as(FEATURE_TS);
        for (int i = 0; i < featureColumns.size(); i++) {
            featureFields[i + 1] = col(featureColumns.get(i));
        }
        Dataset<Row> featureSide = features.select(featureColumnsWithKeys(keys, featureTs, featureFields));
        StructType featureType = (StructType) featureSide.schema().apply(FEATURE).dataType();

        int entitySide = tie == TiePolicy.INCLUSIVE ? 1 : 0;
        List<Column> e = new ArrayList<>();
        keys.forEach(k -> e.add(col(k)));
        e.add(col(entityTs).cast("timestamp").as(TS));
        e.add(lit(entitySide).as(SIDE));
        e.add(struct(List.of(entities.columns()).stream().map(c -> col("`" + c + "`")).toArray(Column[]::new)).as(ENTITY));
        e.add(lit(null).cast(featureType).as(FEATURE));
        Dataset<Row> entitySideRows = entities.select(e.toArray(Column[]::new));

        Column keysPresent = lit(true);
        for (String k : keys) {
            keysPresent = keysPresent.and(col(k).isNotNull());
        }
        Dataset<Row> featureRows = featureSide.where(keysPresent.and(col(TS).isNotNull()))
                .withColumn(SIDE, lit(1 - entitySide))
                .withColumn(ENTITY, lit(null).cast(entityType))
                .select(entitySideRows.columns()[0], restOf(entitySideRows.columns()));

        WindowSpec timeline = Window.partitionBy(keys.stream().map(k -> col(k)).toArray(Column[]::new))
                .orderBy(col(TS), col(SIDE))
                .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        Dataset<Row> carried = entitySideRows.unionByName(featureRows)
                .withColumn(LATEST, last(col(FEATURE), true).over(timeline))
                .where(col(ENTITY).isNotNull());

        Column fresh = col(LATEST).isNotNull();
        if (ttl != null) {
            long micros = ttl.toNanos() / 1_000;
            fresh = fresh.and(expr("unix_micros(" + TS + ") - unix_micros(" + LATEST + "." + FEATURE_TS + ")").leq(micros));
        }
        List<Column> out = new ArrayList<>();
        for (String c : entities.columns()) {
            out.add(col(ENTITY).getField(c).as(c));
        }
        for (String f : featureColumns) {
            out.add(when(fresh, col(LATEST).getField(f)).as(f));
        }
        return carried.select(out.toArray(Column[]::new));
    }

    private static Column[] featureColumnsWithKeys(List<String> keys, String featureTs, Column[] featureFields) {
        List<Column> f = new ArrayList<>();
        keys.forEach(k -> f.add(col(k)));
        f.add(col(featureTs).cast("timestamp").as(TS));
        f.add(struct(featureFields).as(FEATURE));
        return f.toArray(Column[]::new);
    }

    private static String[] restOf(String[] columns) {
        return java.util.Arrays.copyOfRange(columns, 1, columns.length);
    }
}
