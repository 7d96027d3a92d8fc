package io.fedlake.train.federated;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * The arithmetic of DP-FedAvg (McMahan et al. 2018, "Learning Differentially Private Recurrent Language Models",
 * Algorithm 1 with the fixed-denominator estimator and equal client weights): clients clip their deltas to norm C,
 * the server adds {@code N(0, (zC)² I)} to the sum and divides by the <em>expected</em> number of clients qK, not
 * the number that actually reported, so one client's presence changes the result by at most C/(qK) — the
 * sensitivity the accountant assumes.
 *
 * <p>The noise must be unpredictable to everyone who later holds the model: anyone who could regenerate it (from the
 * job's seed, which is in the model's provenance) could subtract it and recover the exact sum of clipped deltas. It
 * is therefore drawn from {@link #secureGenerator()}, a NIST SP 800-90A DRBG seeded from the operating system's
 * entropy, never from the job's seed; a DP run is not bit-reproducible, and a resumed run draws fresh noise.
 */
public final class DpFedAvg {

    private DpFedAvg() {
    }

    /** A client delta clipped to L2 norm C (the input itself when already within the ball). */
    public static float[] clip(float[] delta, double clipNorm) {
        return Aggregation.clipToNorm(delta, clipNorm);
    }

    /**
     * {@code (Σ clipped Δ_k + N(0, (zC)²)) / expectedClients}, as the mean delta to hand to the strategy.
     *
     * @param sumOfClippedDeltas Σ of the clipped deltas (not modified)
     * @param noiseMultiplier    z ≥ 0
     * @param clipNorm           C &gt; 0
     * @param expectedClients    qK, the expected number of participating clients, &gt; 0
     * @param noise              the uniform source of the Gaussian noise: {@link #secureGenerator()} in training
     */
    public static float[] noisyMean(double[] sumOfClippedDeltas, double noiseMultiplier, double clipNorm,
                                    double expectedClients, RandomGenerator noise) {
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
        GaussianNoise.add(noisy, noiseMultiplier * clipNorm, noise);
        float[] mean = new float[noisy.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (noisy[i] / expectedClients);
        }
        return mean;
    }

    /**
     * A new cryptographically secure generator for DP noise and Poisson client sampling: the JDK's DRBG (Hash_DRBG
     * or HMAC_DRBG per the {@code securerandom.drbg.config} security property, NIST SP 800-90A) at 256-bit strength,
     * instantiated from the platform's entropy source. Never seeded by the caller.
     */
    public static SecureRandom secureGenerator() {
        try {
            return SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY,
                    "fedlake DP-FedAvg".getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no DRBG SecureRandom at 256-bit strength (NIST SP 800-90A); "
                    + "DP-FedAvg needs one for its noise", e);
        }
    }
}
