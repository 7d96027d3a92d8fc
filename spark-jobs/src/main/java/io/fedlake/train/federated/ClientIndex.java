package io.fedlake.train.federated;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/** Which shard (task) each row of a federated job belongs to: the index of its client in the sorted client list. */
final class ClientIndex {

    private ClientIndex() {
    }

    /**
     * Adds {@code __shard}, the index of the row's client in {@code clients}, by a broadcast join with a
     * (client, index) table: a literal {@code array_position(array(every client…))} was O(clients) per row and put
     * every client into the plan. Rows whose client is not in the list are dropped (the caller passes all clients).
     */
    static Dataset<Row> withShardIndex(Dataset<Row> rows, String clientColumn, List<String> clients) {
        List<Row> index = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            index.add(RowFactory.create(clients.get(i), i));
        }
        Dataset<Row> map = rows.sparkSession().createDataFrame(index, new StructType()
                .add("__client", DataTypes.StringType, false).add("__shard", DataTypes.IntegerType, false));
        return rows.join(functions.broadcast(map), col(clientColumn).cast("string").equalTo(map.col("__client"))).drop("__client");
    }
}
