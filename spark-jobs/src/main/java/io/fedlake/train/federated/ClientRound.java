package io.fedlake.train.federated;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * The server's plan for one round attempt, broadcast to the client tasks: who trains and how, who is simulated
 * to drop out, and the deadline.
 *
 * @param deadlineMillis    wall-clock time after which a client stops training (Long.MAX_VALUE = none)
 * @param secureAggregation clients mask their (weighted, encoded) update with pairwise masks among the selected clients
 * @param dp                when set, clients clip their delta to {@code dp.clipNorm()} and weigh every client equally
 * @param keyStore          secure aggregation: the {@link ClientKeyStore} URI each client's task reads its own key from
 * @param publicKeys        secure aggregation: the participants' X25519 public keys (X.509), relayed by the driver
 * @param maskContext       secure aggregation: run id, round, attempt and a fresh random nonce ({@link PairwiseKeys#context}),
 *                          so no two attempts ever use the same masks
 */
public record ClientRound(int round, int attempt, long roundSeed, Map<String, FitInstructions> plan, Set<String> dropouts,
                          long deadlineMillis, double learningRate, boolean secureAggregation, DpConfig dp, String keyStore,
                          Map<String, byte[]> publicKeys, byte[] maskContext) implements Serializable {

    public boolean selected(String client) {
        return plan.containsKey(client);
    }

    /**
     * What may be said about a failed client when per-client details are private (DP, secure aggregation): the kind
     * of failure, without the step counts or messages that depend on its data.
     */
    public static String failureKind(String reason) {
        if (reason.contains("dropped out")) {
            return "dropped out";
        }
        for (String kind : new String[]{"straggler", "round timeout", "no local steps"}) {
            if (reason.startsWith(kind)) {
                return kind;
            }
        }
        int colon = reason.indexOf(':');
        return colon > 0 ? reason.substring(0, colon) : "failed";
    }

    /** The clients the pairwise masks were set up among: everyone selected, sorted. */
    public java.util.List<String> participants() {
        return plan.keySet().stream().sorted().toList();
    }
}
