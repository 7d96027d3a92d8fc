package io.fedlake.train;

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
        try (Checkpoint.Writer w = new Checkpoint.Writer(uri)) {
            for (int round = 1; round <= 5; round++) {
                params[0] = round;
                w.submit(new Checkpoint(round, "fp", Map.of("params", params), new double[]{round}));
            }
            params[0] = 99f;   // changed after the last submit: the checkpoint must keep the value it was given
        }
        try (Stream<Path> files = Files.list(dir.resolve("ckpt"))) {
            assertEquals(java.util.List.of("round-000004.ckpt", "round-000005.ckpt"),
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")).sorted().toList());
        }
        Checkpoint latest = Checkpoint.latest(uri, "fp");
        assertEquals(5, latest.round());
        assertArrayEquals(new float[]{5f, 2f, 3f}, latest.array("params"));
        assertArrayEquals(new double[]{5}, latest.accountant());
    }

    @Test
    void aFailedWriteIsReportedByTheNextSubmitOrByClose(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        String uri = notADirectory.toUri().toString();
        Checkpoint.Writer w = new Checkpoint.Writer(uri);
        w.submit(new Checkpoint(1, "fp", Map.of("params", new float[]{1f}), null));
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("cannot write checkpoint of round 1"), e.getMessage());
    }
}
