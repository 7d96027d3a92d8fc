package io.fedlake.lake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkProfileTest {

    @TempDir
    Path dir;

    @Test
    void packagedProfilesLoadFromTheJarWithTheirGpuSettings() {
        for (String name : SparkProfile.PACKAGED) {
            SparkProfile p = SparkProfile.load(name, null);
            assertEquals("classpath:gpu-config/" + name + ".conf", p.source());
        }
        SparkProfile yarn = SparkProfile.load("gpu-yarn", null);
        assertEquals("com.nvidia.spark.SQLPlugin", yarn.settings().get("spark.plugins"));
        assertEquals("1", yarn.settings().get("spark.executor.resource.gpu.amount"));
        assertEquals("./getGpusResources.sh", yarn.settings().get("spark.executor.resource.gpu.discoveryScript"));
        assertEquals("1", SparkProfile.load("cpu-local", null).settings().get("spark.task.cpus"));
    }

    @Test
    void aProfileDirectoryAndPathsWinOverThePackagedCopy() throws Exception {
        Files.writeString(dir.resolve("cpu-local.conf"), "# mine\nspark.task.cpus   2\nspark.sql.shuffle.partitions=8\n");
        SparkProfile p = SparkProfile.load("cpu-local", dir.toString());
        assertEquals("2", p.settings().get("spark.task.cpus"));
        assertEquals("8", p.settings().get("spark.sql.shuffle.partitions"));
        assertEquals("2", SparkProfile.load(dir.resolve("cpu-local.conf").toString(), null).settings().get("spark.task.cpus"));
    }

    @Test
    void unknownProfilesAndMastersAreRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkProfile.load("gpu-moon", null));
        assertEquals("unknown --profile gpu-moon (known: cpu-local, gpu-standalone, gpu-yarn, gpu-k8s; or give a path to a .conf file)", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SparkProfile.load(dir + "/none.conf", null)).getMessage().endsWith("no such file"));
        Files.writeString(dir.resolve("m.conf"), "spark.master local[2]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SparkProfile.load(dir + "/m.conf", null)).getMessage()
                .contains("sets spark.master"));
    }

    @Test
    void aProfileSitsUnderSparkSubmitsSettingsAndUnderConf() {
        System.setProperty("spark.fedlake.test.submitted", "spark-submit");
        try (org.apache.spark.sql.SparkSession spark = SparkSessions.create("profile-test", "local[1]",
                java.util.Map.of("spark.fedlake.test.submitted", "profile", "spark.fedlake.test.conf", "profile",
                        "spark.fedlake.test.profile", "profile", "spark.databricks.delta.properties.defaults.enableDeletionVectors", "true"),
                java.util.Map.of("spark.fedlake.test.conf", "conf", "spark.ui.enabled", "false"))) {
            org.apache.spark.SparkConf c = spark.sparkContext().getConf();
            assertEquals("spark-submit", c.get("spark.fedlake.test.submitted"));
            assertEquals("conf", c.get("spark.fedlake.test.conf"));
            assertEquals("profile", c.get("spark.fedlake.test.profile"));
            // a profile's setting beats Fedlake's built-in default
            assertEquals("true", c.get("spark.databricks.delta.properties.defaults.enableDeletionVectors"));
        } finally {
            System.clearProperty("spark.fedlake.test.submitted");
        }
    }
}
