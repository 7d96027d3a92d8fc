package io.fedlake.train.federated;

import io.fedlake.train.LocalFit;
import io.fedlake.translate.EncodedShard;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * A client's side of a round, run inside the task that holds the client's shard: start from the global
 * parameters with a fresh optimiser, train the instructed local epochs (a straggler fewer), optionally pulled
 * towards the global model by FedProx's proximal term, and return only the parameter delta.
 */
final class ClientTraining {

    private ClientTraining() {
    }

    /**
     * @param update      the delta; null when the client failed
     * @param failure     one-line reason when the client produced nothing usable
     * @param partial     the client stopped early (straggler or timeout); {@code partialReason} says why
     */
    record Result(String clientId, ClientUpdate update, String failure, boolean partial, String partialReason, int steps) implements Serializable {
    }

    static Result fit(EncodedShard shard, ClientRound round, float[] global, Broadcast<byte[]> arch, String sha) {
        String client = shard.client();
        if (round.dropouts().contains(client)) {
            return new Result(client, null, "dropped out of the round (simulated)", false, null, 0);
        }
        FitInstructions fit = round.plan().get(client);
        ComputationGraph net = null;
        int steps = 0;
        try {
            net = LocalFit.borrow(sha, arch);
            LocalFit.load(net, global, null, 0, 0, ClientSampling.mix(round.roundSeed(), shard.index()));
            int batch = fit.batchSize() == 0 ? shard.rows() : fit.batchSize();
            LocalFit.checkTrainingBatch(sha, net, shard, batch);
            int perEpoch = (shard.rows() + batch - 1) / batch;
            int planned = perEpoch * fit.localEpochs();
            int allowed = Math.max(1, (int) Math.floor(planned * fit.workFraction() + 1e-9));
            INDArray anchor = fit.proximalMu() > 0 ? Nd4j.create(global) : null;
            double proximal = round.learningRate() * fit.proximalMu();
            double lossSum = 0;
            long seen = 0;
            String stopped = allowed < planned ? String.format("straggler: did %d of %d local steps", allowed, planned) : null;
            outer:
            for (int epoch = 0; epoch < fit.localEpochs(); epoch++) {
                int[] order = shard.order(ClientSampling.mix(round.roundSeed() ^ 0x5EED, ((long) epoch << 24) + shard.index()));
                for (int b = 0; b < perEpoch; b++) {
                    if (steps >= allowed) {
                        break outer;
                    }
                    if (System.currentTimeMillis() > round.deadlineMillis()) {
                        stopped = String.format("round timeout after %d of %d local steps", steps, planned);
                        break outer;
                    }
                    int from = b * batch;
                    int to = Math.min(shard.rows(), from + batch);
                    net.fit(shard.minibatch(order, from, to));
                    if (anchor != null) {
                        Proximal.step(net.params(), anchor, proximal);
                    }
                    lossSum += net.score() * (to - from);
                    seen += to - from;
                    steps++;
                }
            }
            if (steps == 0) {
                return new Result(client, null, stopped != null ? stopped : "no local steps", stopped != null, stopped, 0);
            }
            float[] local = LocalFit.params(net);
            float[] delta = new float[local.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = local[i] - global[i];
            }
            return new Result(client, new ClientUpdate(client, delta, shard.rows(), lossSum / seen, steps), null, stopped != null, stopped, steps);
        } catch (io.fedlake.gpu.GpuConfigurationException e) {
            throw e;                                      // the settings are wrong for every client: not a client failure
        } catch (RuntimeException e) {
            return new Result(client, null, e.getClass().getSimpleName() + ": " + e.getMessage(), false, null, steps);
        } finally {
            if (net != null) {
                LocalFit.giveBack(sha, net);
            }
        }
    }
}
