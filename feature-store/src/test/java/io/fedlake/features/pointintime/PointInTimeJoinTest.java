package io.fedlake.features.pointintime;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** As-of join cases built so that a leak (a value from the future, a stale value, another entity's value) changes the answer. */
class PointInTimeJoinTest extends LocalSparkTest {

    private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
    private static final StructType ENTITY = new StructType().add("k", DataTypes.StringType).add("t", DataTypes.TimestampType).add("label", DataTypes.IntegerType);
    private static final StructType FEATURE = new StructType().add("k", DataTypes.StringType).add("event_ts", DataTypes.TimestampType).add("v", DataTypes.DoubleType);

    private static Timestamp at(int hour) {
        return Timestamp.from(T0.plus(Duration.ofHours(hour)));
    }

    private static Dataset<Row> entities(Object[]... rows) {
        return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), ENTITY);
    }

    private static Dataset<Row> features(Object[]... rows) {
        return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), FEATURE);
    }

    private static Map<Integer, Double> byLabel(Dataset<Row> joined) {
        Map<Integer, Double> out = new HashMap<>();
        for (Row r : joined.collectAsList()) {
            Double before = out.put(r.getInt(r.fieldIndex("label")), r.isNullAt(r.fieldIndex("v")) ? null : r.getDouble(r.fieldIndex("v")));
            assertNull(before, "labels are unique in these tests");
        }
        return out;
    }

    private static Dataset<Row> join(Dataset<Row> e, Dataset<Row> f, Duration ttl, TiePolicy tie) {
        return AsOfJoin.join(e, "t", f, "event_ts", List.of("k"), List.of("v"), ttl, tie);
    }

    @Test
    void aValueUpdatedAfterTheEventIsNeverUsed() {
        Dataset<Row> f = features(new Object[]{"A", at(9), 1.0}, new Object[]{"A", at(11), 2.0});
        Map<Integer, Double> got = byLabel(join(entities(new Object[]{"A", at(10), 1}, new Object[]{"A", at(12), 2}, new Object[]{"A", at(8), 3}),
                f, null, TiePolicy.INCLUSIVE));

        assertEquals(1.0, got.get(1), "at 10:00 only the 09:00 value was known");
        assertEquals(2.0, got.get(2), "at 12:00 the 11:00 update is known");
        assertTrue(got.containsKey(3));
        assertNull(got.get(3), "before the first value there is none");
    }

    @Test
    void aValueOlderThanTheTtlIsNullAndTheBoundaryIsInclusive() {
        Dataset<Row> f = features(new Object[]{"B", at(9), 5.0});
        Map<Integer, Double> got = byLabel(join(entities(new Object[]{"B", at(10), 1}, new Object[]{"B", at(11), 2}, new Object[]{"B", at(12), 3}),
                f, Duration.ofHours(2), TiePolicy.INCLUSIVE));

        assertEquals(5.0, got.get(1));
        assertEquals(5.0, got.get(2), "exactly TTL old still counts");
        assertNull(got.get(3), "3 h old with a 2 h TTL");
    }

    @Test
    void exactTimestampTiesFollowThePolicy() {
        Dataset<Row> f = features(new Object[]{"C", at(9), 7.0}, new Object[]{"C", at(10), 8.0});
        Dataset<Row> e = entities(new Object[]{"C", at(10), 1});

        assertEquals(8.0, byLabel(join(e, f, null, TiePolicy.INCLUSIVE)).get(1), "inclusive: stamped at the event time counts");
        assertEquals(7.0, byLabel(join(e, f, null, TiePolicy.EXCLUSIVE)).get(1), "exclusive: only strictly earlier values");
    }

    @Test
    void entitiesNeverSeeEachOthersValues() {
        Dataset<Row> f = features(new Object[]{"A", at(1), 1.0}, new Object[]{"B", at(2), 2.0}, new Object[]{null, at(3), 99.0});
        Map<Integer, Double> got = byLabel(join(entities(new Object[]{"A", at(5), 1}, new Object[]{"B", at(5), 2}, new Object[]{"D", at(5), 3},
                new Object[]{null, at(5), 4}), f, null, TiePolicy.INCLUSIVE));

        assertEquals(1.0, got.get(1));
        assertEquals(2.0, got.get(2));
        assertNull(got.get(3), "D has no values of its own");
        assertNull(got.get(4), "a null key matches nothing, not the null-keyed feature row");
    }

    @Test
    void aLatestNullValueStaysNullInsteadOfFallingBackToAnOlderOne() {
        Dataset<Row> f = features(new Object[]{"E", at(8), 3.0}, new Object[]{"E", at(9), null});
        assertNull(byLabel(join(entities(new Object[]{"E", at(10), 1}), f, null, TiePolicy.INCLUSIVE)).get(1));
    }

    @Test
    void entityRowsKeepTheirColumnsAndMultiplicity() {
        Dataset<Row> e = entities(new Object[]{"A", at(10), 1}, new Object[]{"A", at(10), 1});
        Dataset<Row> out = join(e, features(new Object[]{"A", at(9), 1.0}), null, TiePolicy.INCLUSIVE);

        assertEquals(List.of("k", "t", "label", "v"), List.of(out.columns()));
        assertEquals(2, out.count());
    }

    @Test
    void thePlanIsAWindowOverAUnionNotAJoin() {
        Dataset<Row> out = join(entities(new Object[]{"A", at(10), 1}), features(new Object[]{"A", at(9), 1.0}), Duration.ofHours(1), TiePolicy.INCLUSIVE);
        String plan = out.queryExecution().executedPlan().toString();

        assertTrue(plan.contains("Window"), plan);
        assertTrue(plan.contains("Union"), plan);
        assertFalse(plan.contains("Join") || plan.contains("CartesianProduct"), plan);
    }

    @Test
    void agreesWithABruteForceLookupOnSeededRandomData() {
        Random rnd = new Random(7);
        List<Object[]> fr = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            fr.add(new Object[]{"K" + rnd.nextInt(6), at(rnd.nextInt(200)), rnd.nextInt(10) == 0 ? null : (double) i});
        }
        List<Object[]> er = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            er.add(new Object[]{"K" + rnd.nextInt(7), at(rnd.nextInt(220)), i});
        }
        // feature rows with equal (key, time) would make "the latest" ambiguous; keep the first of each
        Map<String, Object[]> unique = new java.util.LinkedHashMap<>();
        fr.forEach(r -> unique.putIfAbsent(r[0] + "@" + r[1], r));
        List<Object[]> fu = new ArrayList<>(unique.values());
        Duration ttl = Duration.ofHours(24);

        for (TiePolicy tie : TiePolicy.values()) {
            Map<Integer, Double> got = byLabel(join(entities(er.toArray(Object[][]::new)), features(fu.toArray(Object[][]::new)), ttl, tie));
            int nonNull = 0;
            for (Object[] e : er) {
                Timestamp t = (Timestamp) e[1];
                Object[] best = null;
                for (Object[] f : fu) {
                    Timestamp ft = (Timestamp) f[1];
                    boolean known = tie == TiePolicy.INCLUSIVE ? !ft.after(t) : ft.before(t);
                    if (f[0].equals(e[0]) && known && (best == null || ft.after((Timestamp) best[1]))) {
                        best = f;
                    }
                }
                Double expected = best == null || Duration.between(((Timestamp) best[1]).toInstant(), t.toInstant()).compareTo(ttl) > 0
                        ? null : (Double) best[2];
                assertEquals(expected, got.get((Integer) e[2]), tie + " entity " + e[2]);
                nonNull += expected == null ? 0 : 1;
            }
            assertTrue(nonNull > 30 && nonNull < er.size(), "the data exercise both found and missing values: " + nonNull);
        }
    }
}
