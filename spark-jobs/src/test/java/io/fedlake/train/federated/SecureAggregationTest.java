package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecureAggregationTest {

    private static final List<String> CLIENTS = List.of("client-0", "client-1", "client-2", "client-3", "client-4");
    private static final int DIM = 64;
    /** Each client's long-term X25519 key pair. */
    private static final List<KeyPair> KEYS = CLIENTS.stream().map(c -> PairwiseKeys.generate()).toList();
    private static final byte[] CONTEXT = PairwiseKeys.context("run-1", 3, 1, new byte[16]);

    /** What client k derives from its private key and the others' public keys. */
    private static Map<String, byte[]> seedsOf(int k, byte[] context) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (int j = 0; j < CLIENTS.size(); j++) {
            if (j != k) {
                seeds.put(CLIENTS.get(j), PairwiseKeys.pairSeed(KEYS.get(k).getPrivate(), KEYS.get(j).getPublic().getEncoded(), CLIENTS.get(k),
                        CLIENTS.get(j), context));
            }
        }
        return seeds;
    }

    private static long[] masked(float[][] d, int k) {
        return SecureAggregation.mask(SecureAggregation.encode(d[k], weight(k)), CLIENTS.get(k), CLIENTS, seedsOf(k, CONTEXT));
    }

    /** The unmasking round: each survivor reveals its seeds with the dropped clients. */
    private static List<SecureAggregation.RevealedSeed> revealed(List<Integer> survivors, List<Integer> dropped) {
        List<SecureAggregation.RevealedSeed> out = new ArrayList<>();
        for (int s : survivors) {
            Map<String, byte[]> seeds = seedsOf(s, CONTEXT);
            for (int d : dropped) {
                out.add(new SecureAggregation.RevealedSeed(CLIENTS.get(s), CLIENTS.get(d), seeds.get(CLIENTS.get(d))));
            }
        }
        return out;
    }

    /** Seeded deltas in [−1, 1) and example counts 10, 20, … per client. */
    private static float[][] deltas() {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] d = new float[CLIENTS.size()][DIM];
        for (float[] row : d) {
            for (int i = 0; i < DIM; i++) {
                row[i] = (float) (2 * rng.nextDouble() - 1);
            }
        }
        return d;
    }

    private static double weight(int k) {
        return 10.0 * (k + 1);
    }

    private static long[] plainSum(float[][] d, List<Integer> which) {
        long[] sum = new long[DIM];
        for (int k : which) {
            sum = SecureAggregation.sum(sum, SecureAggregation.encode(d[k], weight(k)));
        }
        return sum;
    }

    private static long[] maskedSum(float[][] d, List<Integer> which) {
        long[] sum = new long[DIM];
        for (int k : which) {
            sum = SecureAggregation.sum(sum, masked(d, k));
        }
        return sum;
    }

    @Test
    void encodingIsFixedPointWithTwentyFourFractionalBits() {
        // 2·0.5·2^24 = 16777216; 2·(−0.25)·2^24 = −8388608; decode divides by 2^24 and the total weight 2
        long[] e = SecureAggregation.encode(new float[] {0.5f, -0.25f}, 2.0);
        assertArrayEquals(new long[] {16_777_216L, -8_388_608L}, e);
        assertArrayEquals(new float[] {0.5f, -0.25f}, SecureAggregation.decodeMean(e, 2.0));
    }

    @Test
    void encodingRefusesValuesOutsideTheFixedPointRange() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.encode(new float[] {0f, 3e11f}, 1.0));
        assertTrue(big.getMessage().contains("parameter 1"), big.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.encode(new float[] {Float.NaN}, 1.0));
        assertTrue(nan.getMessage().contains("not finite"), nan.getMessage());
    }

    @Test
    void oneMaskedUpdateRevealsNothingUseful() {
        // Prepare
        float[][] d = deltas();
        long[] plain = SecureAggregation.encode(d[2], weight(2));
        // Execute
        long[] masked = masked(d, 2);
        // Assert: decoding the masked vector alone gives values of order 2^63/2^24/w ≈ 1e10, not ≈ 1
        float[] decoded = SecureAggregation.decodeMean(masked, weight(2));
        double diff = 0;
        for (int i = 0; i < DIM; i++) {
            diff += Math.pow(decoded[i] - d[2][i], 2);
        }
        double relative = Math.sqrt(diff) / Aggregation.l2Norm(d[2]);
        assertTrue(relative > 1e6, "relative L2 distance " + relative);
    }

    @Test
    void masksCancelExactlyInTheSumOfAllClients() {
        // Prepare
        float[][] d = deltas();
        List<Integer> all = List.of(0, 1, 2, 3, 4);
        // Execute
        long[] masked = maskedSum(d, all);
        long[] plain = plainSum(d, all);
        // Assert: exact equality in the ring, and the decoded weighted mean within fixed-point resolution
        assertArrayEquals(plain, masked);
        double totalWeight = 10 + 20 + 30 + 40 + 50;
        float[] mean = SecureAggregation.decodeMean(masked, totalWeight);
        for (int i = 0; i < DIM; i++) {
            double expected = 0;
            for (int k = 0; k < d.length; k++) {
                expected += weight(k) * d[k][i];
            }
            assertEquals(expected / totalWeight, mean[i], 1e-6);
        }
    }

    @Test
    void droppedClientsMasksAreRemovedByTheRecoveryStep() {
        float[][] d = deltas();
        for (List<Integer> droppedIdx : List.of(List.of(3), List.of(0, 4))) {
            // Prepare: everyone masked against all five participants, then some never report
            List<Integer> survivorIdx = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            survivorIdx.removeAll(droppedIdx);
            List<String> survivors = survivorIdx.stream().map(CLIENTS::get).toList();
            List<String> dropped = droppedIdx.stream().map(CLIENTS::get).toList();
            long[] masked = maskedSum(d, survivorIdx);
            // the survivors' sum alone is still masked
            assertFalse(java.util.Arrays.equals(plainSum(d, survivorIdx), masked));
            // Execute
            long[] recovered = SecureAggregation.removeDropoutMasks(masked, survivors, dropped, revealed(survivorIdx, droppedIdx));
            // Assert
            assertArrayEquals(plainSum(d, survivorIdx), recovered, "dropped " + dropped);
        }
    }

    /**
     * A mask's sign comes from the order of the two client ids, not from where they stand in the participant list: the
     * masks cancel, and the recovery step removes a dropped client's masks, however the list handed to the clients is
     * ordered, even when each client gets it in another order.
     */
    @Test
    void masksCancelAndDropoutsAreRecoveredWhateverOrderTheParticipantsAreListedIn() {
        // Prepare: listings that are not in id order
        float[][] d = deltas();
        List<List<Integer>> listings = List.of(List.of(4, 3, 2, 1, 0), List.of(2, 0, 4, 1, 3), List.of(3, 4, 0, 2, 1), List.of(1, 3, 0, 4, 2),
                List.of(0, 2, 1, 4, 3));
        // Execute: client k masks against listing k
        long[] perClientOrder = new long[DIM];
        for (int k = 0; k < CLIENTS.size(); k++) {
            List<String> listing = listings.get(k).stream().map(CLIENTS::get).toList();
            perClientOrder = SecureAggregation.sum(perClientOrder,
                    SecureAggregation.mask(SecureAggregation.encode(d[k], weight(k)), CLIENTS.get(k), listing, seedsOf(k, CONTEXT)));
        }
        // Assert
        long[] plain = plainSum(d, List.of(0, 1, 2, 3, 4));
        assertArrayEquals(plain, perClientOrder, "the masks cancel when every client lists the participants differently");

        for (List<Integer> order : listings) {
            // Prepare: everyone masks against the same listing (one broadcast), then the client listed first drops out
            List<String> listing = order.stream().map(CLIENTS::get).toList();
            int droppedIdx = order.get(0);
            List<Integer> survivorIdx = order.subList(1, order.size()).stream().sorted().toList();
            long[] masked = new long[DIM];
            for (int k : survivorIdx) {
                masked = SecureAggregation.sum(masked,
                        SecureAggregation.mask(SecureAggregation.encode(d[k], weight(k)), CLIENTS.get(k), listing, seedsOf(k, CONTEXT)));
            }
            // Execute
            long[] recovered = SecureAggregation.removeDropoutMasks(masked, survivorIdx.stream().map(CLIENTS::get).toList(),
                    List.of(CLIENTS.get(droppedIdx)), revealed(survivorIdx, List.of(droppedIdx)));
            // Assert
            assertArrayEquals(plainSum(d, survivorIdx), recovered, "listing " + listing + ", " + CLIENTS.get(droppedIdx) + " dropped");
        }
    }

    @Test
    void misuseIsRejectedWithAClearMessage() {
        IllegalArgumentException outsider = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.mask(new long[1], "client-9", CLIENTS, Map.of()));
        assertTrue(outsider.getMessage().contains("client-9 is not among"), outsider.getMessage());
        IllegalArgumentException noSeed = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.mask(new long[1], "client-0", CLIENTS, Map.of()));
        assertTrue(noSeed.getMessage().contains("no pair seed with participant client-1"), noSeed.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.removeDropoutMasks(new long[1], List.of("a", "b"), List.of("b"), List.of()));
        assertTrue(both.getMessage().contains("both as survivor and as dropped"), both.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.removeDropoutMasks(new long[1], List.of("client-0", "client-1"), List.of("client-2"),
                        revealed(List.of(0), List.of(2))));
        assertTrue(missing.getMessage().startsWith("need the seeds of all 2 survivor–dropped pairs"), missing.getMessage());
    }

    @Test
    void bothSidesOfAPairAgreeOnItsSeedAndEveryAttemptGetsANewOne() {
        byte[] ab = PairwiseKeys.pairSeed(KEYS.get(0).getPrivate(), KEYS.get(1).getPublic().getEncoded(), "client-0", "client-1", CONTEXT);
        byte[] ba = PairwiseKeys.pairSeed(KEYS.get(1).getPrivate(), KEYS.get(0).getPublic().getEncoded(), "client-1", "client-0", CONTEXT);
        byte[] nextAttempt = PairwiseKeys.pairSeed(KEYS.get(0).getPrivate(), KEYS.get(1).getPublic().getEncoded(), "client-0", "client-1",
                PairwiseKeys.context("run-1", 3, 2, new byte[16]));
        byte[] otherNonce = PairwiseKeys.pairSeed(KEYS.get(0).getPrivate(), KEYS.get(1).getPublic().getEncoded(), "client-0", "client-1",
                PairwiseKeys.context("run-1", 3, 1, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertArrayEquals(ab, ba);
        assertEquals(PairwiseKeys.SEED_BYTES, ab.length);
        assertFalse(java.util.Arrays.equals(ab, nextAttempt));
        assertFalse(java.util.Arrays.equals(ab, otherNonce));
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        // RFC 5869 appendix A.1
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = java.util.HexFormat.of().parseHex("000102030405060708090a0b0c");
        byte[] info = java.util.HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                java.util.HexFormat.of().formatHex(PairwiseKeys.hkdf(salt, ikm, info, 42)));
    }

    /**
     * Issue #15: pair masks used to come from the round seed, so the driver could recompute every mask and unmask
     * each client. Now the driver's whole view — every masked vector, every public key, the round's context, and a
     * key pair of its own to run the key agreement with — does not give it any pair's seed, so no single client's
     * update comes out; only the sum does.
     */
    @Test
    void theDriversViewCannotReproduceAnySingleClientsUpdate() {
        float[][] d = deltas();
        KeyPair driver = PairwiseKeys.generate();
        long[] sum = new long[DIM];
        for (int k = 0; k < CLIENTS.size(); k++) {
            long[] view = masked(d, k);
            sum = SecureAggregation.sum(sum, view);
            // the driver's best derivation of client k's seeds: the agreed function, with the keys it holds
            Map<String, byte[]> guessed = new LinkedHashMap<>();
            for (int j = 0; j < CLIENTS.size(); j++) {
                if (j != k) {
                    guessed.put(CLIENTS.get(j), PairwiseKeys.pairSeed(driver.getPrivate(), KEYS.get(j).getPublic().getEncoded(), CLIENTS.get(k),
                            CLIENTS.get(j), CONTEXT));
                    assertFalse(java.util.Arrays.equals(guessed.get(CLIENTS.get(j)), seedsOf(k, CONTEXT).get(CLIENTS.get(j))),
                            "the driver derived the seed of " + CLIENTS.get(k) + " and " + CLIENTS.get(j));
                }
            }
            // removing client k's masks towards everyone else with the guessed seeds leaves noise
            int me = k;
            List<String> others = CLIENTS.stream().filter(c -> !c.equals(CLIENTS.get(me))).toList();
            long[] attempt = SecureAggregation.removeDropoutMasks(view, List.of(CLIENTS.get(k)), others,
                    others.stream().map(o -> new SecureAggregation.RevealedSeed(CLIENTS.get(me), o, guessed.get(o))).toList());
            float[] decoded = SecureAggregation.decodeMean(attempt, weight(k));
            double diff = 0;
            for (int i = 0; i < DIM; i++) {
                diff += Math.pow(decoded[i] - d[k][i], 2);
            }
            assertTrue(Math.sqrt(diff) / Aggregation.l2Norm(d[k]) > 1e6, "client " + k + " was unmasked by the driver");
        }
        assertArrayEquals(plainSum(d, List.of(0, 1, 2, 3, 4)), sum, "while the sum of all still comes out exactly");
    }
}
