package io.fedlake.bench;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2,000 synthetic rows: key {@code row-i}, class {@code i mod 10} (200 rows per class), binary target
 * {@code y = 1 when class < 3} (positive rate 0.3), split over K = 10 clients.
 */
class PartitionersTest extends LocalSparkTest {

    private static final int ROWS = 2000;
    private static final int K = 10;
    private static Dataset<Row> data;

    @BeforeAll
    static void rows() {
        StructType schema = new StructType().add("key", DataTypes.StringType).add("label", DataTypes.IntegerType)
                .add("y", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            int label = i % 10;
            rows.add(RowFactory.create("row-" + i, label, label < 3 ? 1 : 0));
        }
        data = spark.createDataFrame(rows, schema).repartition(3).cache();
    }

    /** Per client: rows, distinct classes, positive rate; ordered by client. */
    private static List<Row> perClient(Dataset<Row> split) {
        return split.groupBy(Partitioners.CLIENT_ID)
                .agg(count("*").as("n"), countDistinct("label").as("classes"), avg("y").as("rate"))
                .orderBy(Partitioners.CLIENT_ID).collectAsList();
    }

    private static void assertEveryRowHasOneClient(Dataset<Row> split) {
        assertEquals(ROWS, split.count());
        assertEquals(0, split.filter(col(Partitioners.CLIENT_ID).isNull()).count());
        assertEquals(ROWS, split.select("key").distinct().count(), "no row duplicated or lost");
        assertEquals(data.columns().length + 1, split.columns().length, "helper columns must be dropped");
        long valid = split.filter(col(Partitioners.CLIENT_ID).rlike("^client-[0-9]$")).count();
        assertEquals(ROWS, valid);
    }

    private static double rateSpread(List<Row> clients) {
        double lo = 1;
        double hi = 0;
        for (Row r : clients) {
            lo = Math.min(lo, r.getDouble(3));
            hi = Math.max(hi, r.getDouble(3));
        }
        return hi - lo;
    }

    @Test
    void iidClientsLookLikeThePopulation() {
        // Execute
        Dataset<Row> split = Partitioners.iid(data, "key", K, 42L);
        // Assert
        assertEveryRowHasOneClient(split);
        List<Row> clients = perClient(split);
        assertEquals(K, clients.size());
        for (Row c : clients) {
            assertEquals(10, c.getLong(2), "an IID client of ~200 rows sees all 10 classes: " + c);
            assertEquals(200, c.getLong(1), 60, "client sizes near N/K = 200 (binomial sd ≈ 13): " + c);
        }
        // positive rate 0.3 on ~200 rows has sd ≈ 0.032, so 10 clients spread well under 0.2
        assertTrue(rateSpread(clients) < 0.2, "IID positive-rate spread " + rateSpread(clients));
        // reproducible from the seed
        assertEquals(split.orderBy("key").collectAsList(), Partitioners.iid(data, "key", K, 42L).orderBy("key").collectAsList());
    }

    @Test
    void labelSkewedClientsSeeAtMostTwoClasses() {
        // Execute
        Dataset<Row> split = Partitioners.labelSkewed(data, "key", "label", K, 42L);
        // Assert: 20 shards of 100 rows; classes have 200 rows each, so shards never straddle classes → every
        // client holds exactly 200 rows of at most 2 classes
        assertEveryRowHasOneClient(split);
        List<Row> clients = perClient(split);
        assertEquals(K, clients.size());
        for (Row c : clients) {
            assertEquals(200, c.getLong(1), c.toString());
            assertTrue(c.getLong(2) <= 2, "client sees more than 2 classes: " + c);
        }
        // 14 negative-class shards over 10 clients with 2 slots each: ≥ 4 clients are all-negative (rate 0), and some
        // client holds a positive shard (rate ≥ 0.5) → spread ≥ 0.5, against < 0.2 for IID
        assertTrue(rateSpread(clients) >= 0.5, "label-skewed positive-rate spread " + rateSpread(clients));
    }

    @Test
    void quantitySkewedClientSizesVaryWidely() {
        // Execute: Dirichlet(0.5) proportions
        Dataset<Row> split = Partitioners.quantitySkewed(data, "key", K, 0.5, 42L);
        // Assert
        assertEveryRowHasOneClient(split);
        Row sizes = split.groupBy(Partitioners.CLIENT_ID).count().agg(max("count"), min("count"), count("*")).first();
        long largest = sizes.getLong(0);
        long smallest = sizes.getLong(2) < K ? 0 : sizes.getLong(1); // a client with no rows has size 0
        assertTrue(largest >= 5 * Math.max(1, smallest), "sizes from " + smallest + " to " + largest);
        // IID with the same data stays within a factor of 2
        Row iid = Partitioners.iid(data, "key", K, 42L).groupBy(Partitioners.CLIENT_ID).count()
                .agg(max("count"), min("count")).first();
        assertTrue(iid.getLong(0) < 2 * iid.getLong(1), "IID sizes " + iid);
    }
}
