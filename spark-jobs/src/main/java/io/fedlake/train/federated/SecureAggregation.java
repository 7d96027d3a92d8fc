package io.fedlake.train.federated;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The arithmetic of secure aggregation by pairwise additive masking (Bonawitz et al. 2017, "Practical Secure
 * Aggregation for Privacy-Preserving Machine Learning", §4): each client adds, for every other participant, a mask
 * that the other participant subtracts, so a single masked update looks random while the masks cancel in the sum.
 *
 * <p>Values live in the ring of 64-bit integers (mod 2⁶⁴, Java's wraparound {@code long} arithmetic): updates are
 * fixed-point encoded with {@link #FRACTION_BITS} fractional bits, and summing in the ring is exact, associative and
 * commutative, so the result does not depend on the order in which Spark merges partial sums.
 *
 * <p>Simulation boundary: in the protocol each pair's mask seed comes from a Diffie–Hellman key agreement between
 * the two clients, and the server never learns it unless a client drops out. Here the pair seed is derived from
 * (round seed, both client ids) so the engine can run the protocol's arithmetic without a key exchange; the masking,
 * cancellation and dropout recovery are the protocol's, the secrecy of the seeds is not.
 *
 * <p>Range: the <em>sum</em> of the weighted values of all clients must satisfy |Σ wᵢ·vᵢ| &lt; 2⁶³⁻ᶠ ≈ 5.5·10¹¹
 * (F = 24) per coordinate for decoding to be right; intermediate sums may wrap. {@link #encode} refuses any single
 * value with |w·v| ≥ 2³⁸ (half the range, so a few clients cannot overflow by accident), and non-finite values.
 * Resolution is 2⁻²⁴ ≈ 6·10⁻⁸ per weighted value.
 */
public final class SecureAggregation {

    /** Fixed-point fractional bits F. */
    public static final int FRACTION_BITS = 24;
    private static final double SCALE = 1L << FRACTION_BITS;
    /** Largest |weight · value| {@link #encode} accepts. */
    public static final double MAX_ABS_WEIGHTED_VALUE = Math.scalb(1.0, 62 - FRACTION_BITS);

    private SecureAggregation() {
    }

    /** {@code round(weight · v · 2^F)} per coordinate. */
    public static long[] encode(float[] v, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("secure aggregation weight must be a finite number ≥ 0, got " + weight);
        }
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = weight * v[i];
            if (!(Math.abs(x) < MAX_ABS_WEIGHTED_VALUE)) {
                throw new IllegalArgumentException("cannot encode parameter " + i + " for secure aggregation: weight × value = "
                        + x + " is not finite or exceeds ±" + MAX_ABS_WEIGHTED_VALUE + " (fixed point with " + FRACTION_BITS
                        + " fractional bits in 64 bits)");
            }
            out[i] = Math.round(x * SCALE);
        }
        return out;
    }

    /** The weighted mean from the (unmasked) sum of encoded updates: {@code sum / 2^F / totalWeight}. */
    public static float[] decodeMean(long[] sum, double totalWeight) {
        if (!(totalWeight > 0)) {
            throw new IllegalArgumentException("total weight must be > 0 to decode a mean, got " + totalWeight);
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / SCALE / totalWeight);
        }
        return out;
    }

    /** One decoded value of an (unmasked) sum: {@code v / 2^F}. */
    public static double decode(long v) {
        return v / SCALE;
    }

    /** {@code a + b} in the ring, as a new array; the merge for {@code treeAggregate}. */
    public static long[] sum(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("masked vectors differ in length: " + a.length + " vs " + b.length);
        }
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /**
     * The client's masked update: {@code encoded + Σ_{j > client} PRG(s_{client,j}) − Σ_{j < client} PRG(s_{j,client})}
     * over the other {@code participants} (ordered by {@link String#compareTo}), in the ring. The participants are
     * all clients selected this round, fixed when masks are set up.
     */
    public static long[] mask(long[] encoded, String client, List<String> participants, long roundSeed) {
        checkDistinct(participants, "participants");
        if (!participants.contains(client)) {
            throw new IllegalArgumentException("client " + client + " is not among this round's participants");
        }
        long[] out = encoded.clone();
        for (String other : participants) {
            int c = client.compareTo(other);
            if (c != 0) {
                addPairMask(out, client, other, roundSeed, c < 0 ? 1 : -1);
            }
        }
        return out;
    }

    /**
     * The server's recovery when selected clients dropped out after masking was set up (Bonawitz et al. 2017, §4:
     * survivors reveal shares of their pairwise seeds with the dropped clients): removes from the sum of the
     * survivors' masked updates each survivor's mask towards each dropped client, which nothing else cancels.
     *
     * @return the survivors' plain encoded sum, as a new array
     */
    public static long[] removeDropoutMasks(long[] maskedSum, List<String> survivors, List<String> dropped, long roundSeed) {
        checkDistinct(survivors, "survivors");
        checkDistinct(dropped, "dropped clients");
        for (String d : dropped) {
            if (survivors.contains(d)) {
                throw new IllegalArgumentException("client " + d + " is listed both as survivor and as dropped");
            }
        }
        long[] out = maskedSum.clone();
        for (String s : survivors) {
            for (String d : dropped) {
                addPairMask(out, s, d, roundSeed, s.compareTo(d) < 0 ? -1 : 1); // undo what mask() added
            }
        }
        return out;
    }

    /**
     * Seed of the pair {a, b}'s mask stream, the same whichever of the two asks; stands in for their Diffie–Hellman
     * agreed secret.
     */
    static long pairSeed(long roundSeed, String a, String b) {
        boolean aFirst = a.compareTo(b) <= 0;
        String lo = aFirst ? a : b;
        String hi = aFirst ? b : a;
        return ClientSampling.mix(ClientSampling.mix(roundSeed, fnv1a64(lo)), fnv1a64(hi));
    }

    private static void addPairMask(long[] target, String client, String other, long roundSeed, int sign) {
        SplittableRandom prg = new SplittableRandom(pairSeed(roundSeed, client, other));
        for (int i = 0; i < target.length; i++) {
            long m = prg.nextLong();
            target[i] += sign > 0 ? m : -m;
        }
    }

    private static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static void checkDistinct(List<String> ids, String what) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                throw new IllegalArgumentException(what + " contain client " + id + " twice");
            }
        }
    }
}
