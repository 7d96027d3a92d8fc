package io.fedlake.train;

import io.fedlake.gpu.DeviceBinding;
import io.fedlake.gpu.DeviceMemory;
import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.NetworkPool;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executor-side steps shared by Fedlake's own regimes: borrow a network for the task, load global parameters and
 * optimiser state into it, read them back. Networks are built once per executor JVM from the broadcast
 * architecture and reused by later tasks and rounds (only their parameters change), so a round costs no
 * deserialisation of the model.
 */
public final class LocalFit {

    private LocalFit() {
    }

    public static ComputationGraph borrow(String sha256, Broadcast<byte[]> architecture) {
        taskThreads();
        return NetworkPool.borrow("train:" + sha256, sha256, architecture::value);
    }

    /**
     * The task's device ({@link io.fedlake.gpu.DeviceBinding}: its GPU, if Spark gave it one) and ND4J threads per
     * call as {@link io.fedlake.translate.NativeThreads}: the task's cores inside a task, one on the driver
     * (the regimes call it before any work so every epoch and every regime runs with the same setting).
     */
    public static void taskThreads() {
        DeviceBinding.forCurrentTask();
        io.fedlake.translate.NativeThreads.forCurrentTask();
    }

    /**
     * Refuses a training batch the task's GPU cannot hold ({@link io.fedlake.gpu.DeviceMemory}); on CPU it does
     * nothing. The need is DL4J's memory report for this architecture and the shard's input shapes.
     */
    public static void checkTrainingBatch(String sha256, ComputationGraph net, EncodedShard shard, int batch) {
        if (shard.rows() > 0) {
            DeviceMemory.checkTrainingBatch(DeviceBinding.forCurrentTask(), () -> need(sha256, net, shard, MemoryUseMode.TRAINING), batch);
        }
    }

    /** The evaluation batch on the task's device: {@code requested}, or fewer rows where its GPU holds fewer. */
    public static int evaluationBatch(String sha256, ComputationGraph net, EncodedShard shard, int requested) {
        if (shard.rows() == 0) {
            return requested;
        }
        return DeviceMemory.inferenceBatch(DeviceBinding.forCurrentTask(), () -> need(sha256, net, shard, MemoryUseMode.INFERENCE), requested);
    }

    private static DeviceMemory.Need need(String sha256, ComputationGraph net, EncodedShard shard, MemoryUseMode mode) {
        return DeviceMemory.need(sha256, net.getConfiguration(), shard.features(0, 1), mode);
    }

    public static void giveBack(String sha256, ComputationGraph net) {
        NetworkPool.giveBack("train:" + sha256, net);
    }

    /**
     * Loads {@code params} and the optimiser state (zeros when {@code updaterState} is null: a fresh optimiser, as a
     * federated client starts each round), sets DL4J's iteration/epoch counters (Adam's bias correction and any
     * schedule depend on them) and seeds the thread's ND4J generator (dropout) so reruns give the same bits.
     */
    public static void load(ComputationGraph net, float[] params, float[] updaterState, int iteration, int epoch, long rngSeed) {
        net.setParams(Nd4j.create(params));
        Updater updater = net.getUpdater(true);
        INDArray state = updater == null ? null : net.getUpdater().getStateViewArray();
        if (state != null) {
            if (updaterState == null) {
                state.assign(0);
            } else {
                state.assign(Nd4j.create(updaterState));
            }
        }
        net.getConfiguration().setIterationCount(iteration);
        net.getConfiguration().setEpochCount(epoch);
        Nd4j.getRandom().setSeed(rngSeed);
    }

    public static float[] params(ComputationGraph net) {
        return net.params().dup().data().asFloat();
    }

    /** The optimiser state as a flat vector (empty for stateless SGD). */
    public static float[] updaterState(ComputationGraph net) {
        INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        return state == null ? new float[0] : state.dup().data().asFloat();
    }
}
