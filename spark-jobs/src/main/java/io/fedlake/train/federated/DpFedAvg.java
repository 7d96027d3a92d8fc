package io.fedlake.train.federated;

import java.util.SplittableRandom;

/**
 * The arithmetic of DP-FedAvg (McMahan et al. 2018, "Learning Differentially Private Recurrent Language Models",
 * Algorithm 1 with the fixed-denominator estimator and equal client weights): clients clip their deltas to norm C,
 * the server adds {@code N(0, (zC)² I)} to the sum and divides by the <em>expected</em> number of clients qK, not
 * the number that actually reported, so one client's presence changes the result by at most C/(qK) — the
 * sensitivity the accountant assumes. The noise stream is derived from (seed, round) alone, so a resumed run adds
 * the same noise as an uninterrupted one.
 */
public final class DpFedAvg {

    /** Separates the noise stream from client sampling, which derives its stream from the same (seed, round). */
    private static final long NOISE_STREAM = 0x44502D4E4F495345L; // "DP-NOISE"

    private DpFedAvg() {
    }

    /** A client delta clipped to L2 norm C (the input itself when already within the ball). */
    public static float[] clip(float[] delta, double clipNorm) {
        return Aggregation.clipToNorm(delta, clipNorm);
    }

    /** {@code sum += clipped}, in place; the per-partition step before the sums are merged. */
    public static void accumulate(double[] sum, float[] clipped) {
        if (sum.length != clipped.length) {
            throw new IllegalArgumentException("parameter lengths differ: sum " + sum.length + ", delta " + clipped.length);
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += clipped[i];
        }
    }

    /**
     * {@code (Σ clipped Δ_k + N(0, (zC)²)) / expectedClients}, as the mean delta to hand to the strategy.
     *
     * @param sumOfClippedDeltas Σ of the clipped deltas (not modified)
     * @param noiseMultiplier    z ≥ 0
     * @param clipNorm           C &gt; 0
     * @param expectedClients    qK, the expected number of participating clients, &gt; 0
     * @param seed               the job's seed
     * @param round              the round, so each round draws fresh but reproducible noise
     */
    public static float[] noisyMean(double[] sumOfClippedDeltas, double noiseMultiplier, double clipNorm,
                                    double expectedClients, long seed, int round) {
        if (!(noiseMultiplier >= 0)) {
            throw new IllegalArgumentException("noiseMultiplier must be ≥ 0, got " + noiseMultiplier);
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clipNorm must be > 0, got " + clipNorm);
        }
        if (!(expectedClients > 0)) {
            throw new IllegalArgumentException("expected clients per round must be > 0, got " + expectedClients);
        }
        double[] noisy = sumOfClippedDeltas.clone();
        GaussianNoise.add(noisy, noiseMultiplier * clipNorm, new SplittableRandom(noiseSeed(seed, round)));
        float[] mean = new float[noisy.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (noisy[i] / expectedClients);
        }
        return mean;
    }

    /** The seed of round {@code round}'s noise stream. */
    public static long noiseSeed(long seed, int round) {
        return ClientSampling.mix(ClientSampling.mix(seed, NOISE_STREAM), round);
    }
}
