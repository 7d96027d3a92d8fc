package io.fedlake.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointWriterTest {

    @Test
    void writesEveryRoundInOrderKeepsTheNewestTwoAndSnapshotsTheArraysAtSubmit(@TempDir Path dir) throws Exception {
        String uri = dir.resolve("ckpt").toUri().toString();
        float[] params = {1f, 2f, 3f};
        try (Checkpoint.Writer w = new Checkpoint.Writer(uri, new Configuration())) {
            for (int round = 1; round <= 5; round++) {
                params[0] = round;
                w.submit(new Checkpoint(round, "fp", Map.of("params", params), new double[]{round}, new byte[]{(byte) round, 7}));
            }
            params[0] = 99f;   // changed after the last submit: the checkpoint must keep the value it was given
        }
        try (Stream<Path> files = Files.list(dir.resolve("ckpt"))) {
            assertEquals(java.util.List.of("round-000004.ckpt", "round-000005.ckpt"),
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")).sorted().toList());
        }
        Checkpoint latest = Checkpoint.latest(uri, "fp", new Configuration());
        assertEquals(5, latest.round());
        assertArrayEquals(new float[]{5f, 2f, 3f}, latest.array("params"));
        assertArrayEquals(new double[]{5}, latest.accountant());
        assertArrayEquals(new byte[]{5, 7}, latest.roundLog(), "the round log's uncommitted rows travel with the checkpoint");
    }

    @Test
    void aFailedWriteIsReportedByTheNextSubmitOrByClose(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        String uri = notADirectory.toUri().toString();
        Checkpoint.Writer w = new Checkpoint.Writer(uri, new Configuration());
        w.submit(new Checkpoint(1, "fp", Map.of("params", new float[]{1f}), null));
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("cannot write checkpoint of round 1"), e.getMessage());
    }

    /** The local file system, counting the files created through it. */
    public static final class CountingFileSystem extends LocalFileSystem {
        static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public FSDataOutputStream create(org.apache.hadoop.fs.Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
                                         long blockSize, Progressable progress) throws java.io.IOException {
            CREATED.incrementAndGet();
            return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        }
    }

    @Test
    void checkpointsGoThroughTheJobsHadoopSettings(@TempDir Path dir) {
        // as spark.hadoop.fs.file.impl would set it on the SparkContext's configuration
        Configuration jobs = new Configuration();
        jobs.setClass("fs.file.impl", CountingFileSystem.class, FileSystem.class);
        jobs.setBoolean("fs.file.impl.disable.cache", true);
        String uri = dir.resolve("ckpt").toUri().toString();
        int before = CountingFileSystem.CREATED.get();
        try (Checkpoint.Writer w = new Checkpoint.Writer(uri, jobs)) {
            w.submit(new Checkpoint(1, "fp", Map.of("params", new float[]{1f}), null));
        }
        assertTrue(CountingFileSystem.CREATED.get() > before, "the checkpoint was not written through the job's file system settings");
        assertEquals(1, Checkpoint.latest(uri, "fp", jobs).round());
    }
}
