package io.fedlake.train.federated;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A federated aggregation strategy, in the style of Flower's {@code Strategy}: the server asks it which clients train
 * in a round and how, hands it the round's results and failures, and takes the new global parameters from it.
 * Evaluation of the global model on held-out data is done by the engine after every round, the same for all
 * strategies. Implementations keep their arithmetic in pure static functions ({@link Aggregation}) and are
 * deterministic given the seed and round, so a resumed run reproduces an uninterrupted one.
 *
 * <p>Secure aggregation only reveals the weighted sum of the updates, never one update: the engine then passes a
 * single aggregate {@link ClientUpdate} (the weighted mean of the deltas, with the total example count) to
 * {@link #aggregateFit}. Strategies for which {@link #needsIndividualUpdates()} is false must give the same result
 * from that one aggregate as from the individual updates (true for every weighted-mean strategy).
 */
public interface Strategy extends Serializable {

    /** Name used on the command line and in provenance, e.g. {@code fedavg}. */
    String name();

    /**
     * Chooses the clients that train in {@code round} (1-based) from {@code available}, deterministically in
     * ({@code seed}, {@code round}). Never returns an empty list when {@code available} is non-empty.
     */
    List<String> sampleClients(int round, List<String> available, long seed);

    /**
     * The client fraction C and minimum this strategy samples with; under DP-FedAvg the engine replaces
     * {@link #sampleClients} by Poisson sampling at rate C ({@link ClientSampling#poisson}).
     */
    default ClientSampling sampling() {
        return ClientSampling.all();
    }

    /** Local training instructions for one selected client, starting from the job's {@code defaults}. */
    default FitInstructions configureFit(int round, String clientId, FitInstructions defaults) {
        return defaults;
    }

    /**
     * Combines a round's client updates into the next global parameters.
     *
     * @param global   the parameters the clients started from (not modified)
     * @param results  successful updates, in a deterministic order (sorted by client id); may be empty
     * @param failures selected clients that returned nothing usable
     * @return new global parameters (a new array), or {@code null} when there is nothing to aggregate — the engine
     *         then keeps {@code global} (Flower: returning no parameters means "no update")
     */
    float[] aggregateFit(int round, float[] global, List<ClientUpdate> results, List<ClientFailure> failures);

    /** Server-side optimiser state to checkpoint (momentum, Adam moments, step counters); empty if stateless. */
    default Map<String, float[]> state() {
        return Map.of();
    }

    /** Restores what {@link #state()} returned (resume from a checkpoint). */
    default void restoreState(Map<String, float[]> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(name() + " keeps no server state, but the checkpoint has " + state.keySet());
        }
    }

    /**
     * Whether an update from a client that finished only part of its local work (a straggler, or a client stopped
     * by the round timeout) is aggregated. FedAvg as in McMahan et al. 2017 drops such clients; FedProx (Li et al.
     * 2020) keeps their partial work, which its proximal term keeps close to the global model.
     */
    default boolean acceptsPartialWork() {
        return false;
    }

    /**
     * True when aggregation needs each client's update (coordinate-wise median, trimmed mean). Such strategies
     * cannot run behind secure aggregation or DP-FedAvg, which only reveal a (noisy) sum; the engine refuses that
     * combination with a clear message.
     */
    default boolean needsIndividualUpdates() {
        return false;
    }
}
