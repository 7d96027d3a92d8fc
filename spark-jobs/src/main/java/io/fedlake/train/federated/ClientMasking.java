package io.fedlake.train.federated;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's side of secure aggregation, run only inside that client's task: it opens the client's own private key
 * from the {@link ClientKeyStore}, agrees on a pair seed with every other participant from the public keys the driver
 * relayed ({@link ClientRound#publicKeys()}), and in the unmasking round reveals the seeds it shared with clients that
 * dropped out — for that round attempt only (Bonawitz et al. 2017, §4). The driver never calls this class.
 */
final class ClientMasking {

    private ClientMasking() {
    }

    /** {@code client}'s pair seeds with every other participant of {@code round}. */
    static Map<String, byte[]> pairSeeds(ClientRound round, String client, ClientKeyStore keys) {
        PrivateKey mine = keys.privateKey(client);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (String other : round.participants()) {
            if (!other.equals(client)) {
                seeds.put(other, PairwiseKeys.pairSeed(mine, publicKey(round, other), client, other, round.maskContext()));
            }
        }
        return seeds;
    }

    /** The unmasking round: {@code survivor}'s seeds with each of {@code dropped}, this round attempt only. */
    static List<SecureAggregation.RevealedSeed> reveal(ClientRound round, String survivor, List<String> dropped, ClientKeyStore keys) {
        PrivateKey mine = keys.privateKey(survivor);
        List<SecureAggregation.RevealedSeed> out = new ArrayList<>();
        for (String d : dropped) {
            if (!round.participants().contains(d) || d.equals(survivor)) {
                throw new IllegalArgumentException("client " + d + " was not another participant of round " + round.round()
                        + "; " + survivor + " reveals nothing for it");
            }
            out.add(new SecureAggregation.RevealedSeed(survivor, d, PairwiseKeys.pairSeed(mine, publicKey(round, d), survivor, d, round.maskContext())));
        }
        return out;
    }

    private static byte[] publicKey(ClientRound round, String client) {
        byte[] k = round.publicKeys().get(client);
        if (k == null) {
            throw new IllegalArgumentException("no public key of participant " + client + " was relayed for round " + round.round());
        }
        return k;
    }
}
