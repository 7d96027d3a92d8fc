package io.fedlake.core;

/**
 * Reproducible randomness: every per-task generator (a client's round, a worker's shuffle, a simulated failure)
 * is seeded from the run's one seed and the coordinates of the work (round, partition, epoch), so reruns and
 * resumes draw the same bits whatever the scheduling.
 */
public final class Seeds {

    private Seeds() {
    }

    /** A well-mixed 64-bit seed for (seed, stream): SplitMix64 finaliser over both. */
    public static long mix(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
