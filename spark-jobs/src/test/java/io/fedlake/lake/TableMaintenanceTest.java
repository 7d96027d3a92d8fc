package io.fedlake.lake;

import io.fedlake.core.UserError;
import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableMaintenanceTest extends LocalSparkTest {

    @Test
    void vacuumRetentionCoversTheOldestVersionAModelWasTrainedOnAndZOrderKeepsEveryRow() {
        Lake lake = new Lake(spark, tmp.resolve("lake-maintain").toString());
        String path = lake.pathOf("raw.things");
        for (int i = 0; i < 4; i++) {
            spark.range(i * 100, (i + 1) * 100).selectExpr("id", "rand(" + i + ") AS v").write().format("delta").mode("append").save(path);
        }
        assertNull(TableMaintenance.oldestRegisteredVersion(lake, "raw.things"), "no registry yet");
        // Version 1 is 400 hours old (Delta dates a commit by its log file's modification time) and a model was trained on it.
        // Delta keeps commit timestamps increasing, so the commit before it is made older still.
        for (int v = 0; v <= 1; v++) {
            assertTrue(new File(path.replaceFirst("^file:", "") + "/_delta_log/0000000000000000000" + v + ".json")
                    .setLastModified(Instant.now().minusSeconds((401 - v) * 3600L).toEpochMilli()));
        }
        StructType registry = new StructType().add("name", DataTypes.StringType).add("training_table", DataTypes.StringType)
                .add("training_table_version", DataTypes.LongType);
        spark.createDataFrame(List.of(RowFactory.create("m", "raw.things", 1L), RowFactory.create("m", "raw.things", 3L), RowFactory.create("n", "raw.other", 0L)),
                registry).write().format("delta").save(lake.pathOf("registry.models"));

        TableMaintenance.Outcome o = TableMaintenance.run(lake, "raw.things", List.of("id"), true, 168);

        assertEquals(1L, o.protectedVersion());
        assertEquals(401, o.retainHours(), "400 hours old, rounded up, plus one");
        assertTrue(o.filesRemovedByOptimize() >= 4, "the 4 appends are compacted: " + o.filesRemovedByOptimize());
        assertEquals(400, spark.read().format("delta").load(path).count());
        assertEquals(200, spark.read().format("delta").option("versionAsOf", 1).load(path).count(), "the training version still reads");

        assertThrows(IllegalArgumentException.class, () -> TableMaintenance.run(lake, "raw.things", List.of(), true, 24));
        UserError e = assertThrows(UserError.class, () -> TableMaintenance.run(lake, "raw.things", List.of("nope"), false, 168));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
