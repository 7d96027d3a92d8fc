package io.fedlake.bench;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Splits a table into K simulated clients for federated experiments by adding a string column {@value #CLIENT_ID}
 * ({@code client-0…client-(K−1)}, zero-padded). Every row gets exactly one client; the assignment depends only on
 * the key, the label, K and the seed, so it is reproducible. The maths is in {@link ClientShares}.
 */
public final class Partitioners {

    public static final String CLIENT_ID = "client_id";
    private static final String TMP = "__fedlake_part_";

    private Partitioners() {
    }

    /** IID: client = {@code xxhash64(seed, key) pmod K}, uniform and independent of the label. */
    public static Dataset<Row> iid(Dataset<Row> data, String keyColumn, int clients, long seed) {
        checkClients(clients);
        Column bucket = pmod(xxhash64(lit(seed), col(keyColumn)), lit((long) clients));
        return data.withColumn(CLIENT_ID, clientIdColumn(bucket, clients));
    }

    /**
     * Label-skewed, the pathological non-IID split of McMahan et al. 2017 (§3): rows ordered by (label, seeded hash of
     * key) are cut into {@code 2K} equal shards and each client gets 2 shards chosen by a seeded permutation, so most
     * clients see one or two classes. A row's position in that order is the offset of its label (a running count
     * over the small per-label count table) plus its rank within the label, from a window partitioned by label —
     * so the sort runs one task per label rather than on a single partition; a label with very many rows still sits
     * in one task, which is fine for experiment-sized tables.
     */
    public static Dataset<Row> labelSkewed(Dataset<Row> data, String keyColumn, String labelColumn, int clients, long seed) {
        checkClients(clients);
        int shardsPerClient = 2;
        int shards = clients * shardsPerClient;
        String hash = TMP + "hash";
        String rank = TMP + "rank";
        String label = TMP + "label";
        String offset = TMP + "offset";
        String total = TMP + "total";
        Dataset<Row> counts = data.groupBy(col(labelColumn).as(label)).count();
        Dataset<Row> offsets = counts
                .withColumn(offset, sum(col("count")).over(Window.orderBy(col(label).asc_nulls_first())
                        .rowsBetween(Window.unboundedPreceding(), -1)))
                .na().fill(0L, new String[] {offset})
                .withColumn(total, sum(col("count")).over(Window.partitionBy()))
                .drop("count");
        Dataset<Row> ranked = data
                .withColumn(hash, xxhash64(lit(seed), col(keyColumn)))
                .withColumn(rank, row_number().over(Window.partitionBy(col(labelColumn)).orderBy(col(hash), col(keyColumn))));
        Dataset<Row> joined = ranked.join(broadcast(offsets), ranked.col(labelColumn).eqNullSafe(offsets.col(label)));
        Column position = col(offset).plus(col(rank)).minus(1);
        Column shard = floor(position.multiply(shards).divide(col(total))).cast(DataTypes.IntegerType);
        int[] owners = ClientShares.shardOwners(clients, shardsPerClient, seed);
        Column[] ownerLiterals = new Column[shards];
        for (int s = 0; s < shards; s++) {
            ownerLiterals[s] = lit(owners[s]);
        }
        Column owner = element_at(array(ownerLiterals), shard.plus(1));
        return joined.withColumn(CLIENT_ID, clientIdColumn(owner, clients))
                .drop(hash, rank, label, offset, total);
    }

    /**
     * Quantity-skewed: client sizes follow Dirichlet(α) proportions drawn from the seed; each row goes to the bin of
     * the cumulative proportions that a seeded hash of its key, mapped to [0, 1), falls into. Labels stay IID. With
     * small α (e.g. 0.5) a few clients hold most rows and some may get none.
     */
    public static Dataset<Row> quantitySkewed(Dataset<Row> data, String keyColumn, int clients, double alpha, long seed) {
        checkClients(clients);
        double[] cumulative = ClientShares.cumulative(ClientShares.dirichletProportions(clients, alpha, seed));
        Column uniform = pmod(xxhash64(lit(seed), lit("quantity"), col(keyColumn)), lit(1L << 53))
                .cast(DataTypes.DoubleType).divide(lit((double) (1L << 53)));
        UserDefinedFunction toBin = udf((org.apache.spark.sql.api.java.UDF1<Double, Integer>) u -> ClientShares.bin(u, cumulative),
                DataTypes.IntegerType);
        return data.withColumn(CLIENT_ID, clientIdColumn(toBin.apply(uniform), clients));
    }

    private static Column clientIdColumn(Column index, int clients) {
        int width = Integer.toString(Math.max(1, clients - 1)).length();
        return format_string("client-%0" + width + "d", index.cast(DataTypes.IntegerType));
    }

    private static void checkClients(int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("number of clients must be ≥ 1, got " + clients);
        }
    }
}
