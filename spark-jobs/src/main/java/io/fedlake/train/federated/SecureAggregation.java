package io.fedlake.train.federated;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arithmetic of secure aggregation by pairwise additive masking (Bonawitz et al. 2017, "Practical Secure
 * Aggregation for Privacy-Preserving Machine Learning", §4): each client adds, for every other participant, a mask
 * that the other participant subtracts, so a single masked update looks random while the masks cancel in the sum.
 *
 * <p>Values live in the ring of 64-bit integers (mod 2⁶⁴, Java's wraparound {@code long} arithmetic): updates are
 * fixed-point encoded with {@link #FRACTION_BITS} fractional bits, and summing in the ring is exact, associative and
 * commutative, so the result does not depend on the order in which Spark merges partial sums.
 *
 * <p>Each pair's mask seed comes from an X25519 key agreement between the two clients through HKDF
 * ({@link PairwiseKeys}), computed inside the clients' tasks from their own private keys ({@link ClientMasking});
 * this class only sees seeds a client hands it. The server learns a pair's seed only for a client that dropped out,
 * from the survivors, for that round attempt alone ({@link #removeDropoutMasks}, Bonawitz et al.'s unmasking round
 * without the double masking that also protects a client whose update arrives late).
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
     * A survivor's answer in the unmasking round: the seed it shares with a client that dropped out, for this round
     * attempt only. Revealing it exposes nothing of the dropped client, whose masked update never reached the sum.
     */
    public record RevealedSeed(String survivor, String dropped, byte[] seed) implements Serializable {
    }

    /**
     * The client's masked update: {@code encoded + Σ_{j > client} PRG(s_{client,j}) − Σ_{j < client} PRG(s_{j,client})}
     * over the other {@code participants} (ordered by {@link String#compareTo}), in the ring, with PRG =
     * {@link PairwiseKeys#expand}. The participants are all clients selected this round, fixed when masks are set up.
     *
     * @param pairSeeds the client's seed with each other participant ({@link PairwiseKeys#pairSeed})
     */
    public static long[] mask(long[] encoded, String client, List<String> participants, Map<String, byte[]> pairSeeds) {
        checkDistinct(participants, "participants");
        if (!participants.contains(client)) {
            throw new IllegalArgumentException("client " + client + " is not among this round's participants");
        }
        long[] out = encoded.clone();
        for (String other : participants) {
            int c = client.compareTo(other);
            if (c != 0) {
                byte[] seed = pairSeeds.get(other);
                if (seed == null) {
                    throw new IllegalArgumentException("client " + client + " has no pair seed with participant " + other);
                }
                addMask(out, seed, c < 0 ? 1 : -1);
            }
        }
        return out;
    }

    /**
     * The server's recovery when selected clients dropped out after masking was set up (Bonawitz et al. 2017, §4,
     * round 4): removes from the sum of the survivors' masked updates each survivor's mask towards each dropped
     * client, which nothing else cancels, from the seeds the survivors revealed.
     *
     * @return the survivors' plain encoded sum, as a new array
     */
    public static long[] removeDropoutMasks(long[] maskedSum, List<String> survivors, List<String> dropped, List<RevealedSeed> revealed) {
        checkDistinct(survivors, "survivors");
        checkDistinct(dropped, "dropped clients");
        for (String d : dropped) {
            if (survivors.contains(d)) {
                throw new IllegalArgumentException("client " + d + " is listed both as survivor and as dropped");
            }
        }
        Set<String> pairs = new HashSet<>();
        for (RevealedSeed r : revealed) {
            if (!survivors.contains(r.survivor()) || !dropped.contains(r.dropped()) || !pairs.add(r.survivor() + "\u0000" + r.dropped())) {
                throw new IllegalArgumentException("revealed seed of " + r.survivor() + " and " + r.dropped()
                        + " is not one survivor–dropped pair of this round, or came twice");
            }
        }
        if (pairs.size() != survivors.size() * dropped.size()) {
            throw new IllegalArgumentException("need the seeds of all " + survivors.size() * dropped.size()
                    + " survivor–dropped pairs to remove the masks, got " + pairs.size());
        }
        long[] out = maskedSum.clone();
        for (RevealedSeed r : revealed) {
            addMask(out, r.seed(), r.survivor().compareTo(r.dropped()) < 0 ? -1 : 1); // undo what mask() added
        }
        return out;
    }

    private static void addMask(long[] target, byte[] seed, int sign) {
        long[] m = PairwiseKeys.expand(seed, target.length);
        for (int i = 0; i < target.length; i++) {
            target[i] += sign > 0 ? m[i] : -m[i];
        }
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
