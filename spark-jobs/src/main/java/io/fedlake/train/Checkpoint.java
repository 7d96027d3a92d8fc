package io.fedlake.train;

import io.fedlake.core.UserError;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to continue a run after round {@code round}: the global parameters, the optimiser state
 * (parameter averaging) or the server strategy's state (federated), the privacy accountant's state, the round
 * counter, and the {@code training.rounds} rows of rounds up to this one that the {@link RoundLog} had not committed
 * yet ({@link RoundLog#unflushed()}), so a crash loses no round's row. Randomness is derived from (seed, round, client), so the round counter is the RNG state. The
 * {@code fingerprint} names the configuration that produced it; resuming under a different one is refused.
 *
 * <p>Files are written to any Hadoop URI as {@code round-NNNNNN.ckpt} via a temporary file and a rename, so a
 * crash mid-write never leaves a truncated latest checkpoint; the two newest are kept.
 */
public record Checkpoint(int round, String fingerprint, Map<String, float[]> arrays, double[] accountant, byte[] roundLog) {

    private static final int MAGIC = 0x46_4C_43_4B; // "FLCK"
    /** 2 added the round log's uncommitted rows; 1 is still read (with none). */
    private static final int FORMAT = 2;
    private static final int KEEP = 2;

    public Checkpoint {
        arrays = new LinkedHashMap<>(arrays);
        accountant = accountant == null ? new double[0] : accountant.clone();
        roundLog = roundLog == null ? new byte[0] : roundLog.clone();
    }

    /** A checkpoint that carries no round log rows. */
    public Checkpoint(int round, String fingerprint, Map<String, float[]> arrays, double[] accountant) {
        this(round, fingerprint, arrays, accountant, null);
    }

    public float[] array(String name) {
        float[] a = arrays.get(name);
        if (a == null) {
            throw new IllegalStateException("checkpoint of round " + round + " has no '" + name + "' (has " + arrays.keySet() + ")");
        }
        return a;
    }

    /**
     * Writes this checkpoint under {@code dir} and removes all but the newest {@value #KEEP}.
     *
     * @param hadoop the job's Hadoop settings ({@code SparkContext.hadoopConfiguration()}: file systems and credentials
     *               set through {@code spark.hadoop.*} reach the checkpoints as they reach the lake's tables)
     */
    public void write(String dir, org.apache.hadoop.conf.Configuration hadoop) {
        try {
            Path d = new Path(dir);
            FileSystem fs = d.getFileSystem(hadoop);
            fs.mkdirs(d);
            Path tmp = new Path(d, String.format("_round-%06d.ckpt.tmp", round));
            try (FSDataOutputStream raw = fs.create(tmp, true);
                 DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT);
                out.writeInt(round);
                out.writeUTF(fingerprint);
                out.writeInt(arrays.size());
                for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    for (float f : e.getValue()) {
                        out.writeFloat(f);
                    }
                }
                out.writeInt(accountant.length);
                for (double v : accountant) {
                    out.writeDouble(v);
                }
                out.writeInt(roundLog.length);
                out.write(roundLog);
            }
            Path target = new Path(d, String.format("round-%06d.ckpt", round));
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            FileStatus[] all = list(fs, d);
            for (int i = 0; i < all.length - KEEP; i++) {
                fs.delete(all[i].getPath(), false);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write checkpoint of round " + round + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a run's checkpoints on a background thread, one at a time and in round order, so a round's checkpoint is
     * written while the next round trains. Submitting waits for the previous write and rethrows its failure; close
     * waits for the last one. A crash can lose at most the checkpoint still being written: resuming then starts from
     * the one before it, which reaches the same final parameters.
     */
    public static final class Writer implements AutoCloseable {
        private final String dir;
        private final org.apache.hadoop.conf.Configuration hadoop;
        private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fedlake-checkpoint-writer");
            t.setDaemon(true);
            return t;
        });
        private java.util.concurrent.Future<?> last;

        public Writer(String dir, org.apache.hadoop.conf.Configuration hadoop) {
            this.dir = dir;
            this.hadoop = hadoop;
        }

        /** Queues {@code c}; its arrays are copied first, so the caller may go on updating its own. */
        public void submit(Checkpoint c) {
            Map<String, float[]> copies = new LinkedHashMap<>();
            c.arrays().forEach((name, a) -> copies.put(name, a.clone()));
            Checkpoint own = new Checkpoint(c.round(), c.fingerprint(), copies, c.accountant(), c.roundLog());
            awaitLast();
            last = thread.submit(() -> own.write(dir, hadoop));
        }

        /** Blocks until the last submitted checkpoint is written (DP-FedAvg: before a round's result is released). */
        public void await() {
            awaitLast();
        }

        private void awaitLast() {
            if (last == null) {
                return;
            }
            try {
                last.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing a checkpoint", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                last = null;
            }
        }

        @Override
        public void close() {
            try {
                awaitLast();
            } finally {
                thread.shutdown();
            }
        }
    }

    /**
     * The newest checkpoint under {@code dir}.
     *
     * @throws UserError when there is none, or it was written by a different configuration
     */
    public static Checkpoint latest(String dir, String expectedFingerprint, org.apache.hadoop.conf.Configuration hadoop) {
        try {
            Path d = new Path(dir);
            FileSystem fs = FileSystem.get(URI.create(dir), hadoop);
            FileStatus[] all = fs.exists(d) ? list(fs, d) : new FileStatus[0];
            if (all.length == 0) {
                throw new UserError("no checkpoint to resume from under " + dir);
            }
            Checkpoint c = read(fs, all[all.length - 1].getPath());
            if (!c.fingerprint.equals(expectedFingerprint)) {
                throw new UserError("checkpoint " + all[all.length - 1].getPath().getName() + " was written with a different configuration ("
                        + c.fingerprint + "); resume with the same options (now: " + expectedFingerprint + ")");
            }
            return c;
        } catch (IOException e) {
            throw new UserError("cannot read checkpoints under " + dir + ": " + e.getMessage());
        }
    }

    private static Checkpoint read(FileSystem fs, Path p) throws IOException {
        try (FSDataInputStream raw = fs.open(p); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            int format = in.readInt() == MAGIC ? in.readInt() : -1;
            if (format != 1 && format != FORMAT) {
                throw new IOException(p + " is not a Fedlake checkpoint (format 1 or " + FORMAT + ")");
            }
            int round = in.readInt();
            String fingerprint = in.readUTF();
            int n = in.readInt();
            Map<String, float[]> arrays = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                float[] a = new float[in.readInt()];
                for (int k = 0; k < a.length; k++) {
                    a[k] = in.readFloat();
                }
                arrays.put(name, a);
            }
            double[] acc = new double[in.readInt()];
            for (int k = 0; k < acc.length; k++) {
                acc[k] = in.readDouble();
            }
            byte[] roundLog = new byte[format >= 2 ? in.readInt() : 0];
            in.readFully(roundLog);
            return new Checkpoint(round, fingerprint, arrays, acc, roundLog);
        }
    }

    private static FileStatus[] list(FileSystem fs, Path d) throws IOException {
        FileStatus[] all = fs.listStatus(d, p -> p.getName().startsWith("round-") && p.getName().endsWith(".ckpt"));
        Arrays.sort(all, Comparator.comparing(s -> s.getPath().getName()));
        return all;
    }
}
