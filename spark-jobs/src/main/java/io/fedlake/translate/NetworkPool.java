package io.fedlake.translate;

import io.fedlake.zoo.artifact.NetworkBytes;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Networks loaded once per executor JVM and reused by every task that scores with the same artifact. A network
 * is not safe for concurrent use, so each running task borrows its own instance; instances are kept per
 * artifact SHA-256 and handed back after the partition. Under ND4J's CUDA backend a network's arrays live on the
 * device of the thread that built it, so instances are also kept per device: a task bound to GPU 1
 * ({@link io.fedlake.gpu.DeviceBinding}) never borrows one built on GPU 0 (on the CPU backend there is one device).
 */
public final class NetworkPool {

    private static final Map<String, Queue<ComputationGraph>> POOL = new ConcurrentHashMap<>();

    private NetworkPool() {
    }

    public static ComputationGraph borrow(String sha256, Supplier<byte[]> bytes) {
        return borrow(sha256, sha256, bytes);
    }

    /**
     * @param poolKey instances are shared per key: the SHA-256 for scoring; training keeps its own key so a network
     *                whose parameters a training task overwrote is never handed to a scorer
     */
    public static ComputationGraph borrow(String poolKey, String sha256, Supplier<byte[]> bytes) {
        ComputationGraph net = POOL.computeIfAbsent(onDevice(poolKey), k -> new ConcurrentLinkedQueue<>()).poll();
        if (net == null) {
            byte[] b = bytes.get();
            String actual = NetworkBytes.sha256(b);
            if (!actual.equals(sha256)) {
                throw new IllegalStateException("model bytes do not match their SHA-256: expected " + sha256 + ", got " + actual);
            }
            net = NetworkBytes.fromBytes(b);
        }
        return net;
    }

    public static void giveBack(String poolKey, ComputationGraph net) {
        POOL.computeIfAbsent(onDevice(poolKey), k -> new ConcurrentLinkedQueue<>()).add(net);
    }

    private static String onDevice(String poolKey) {
        return poolKey + "@" + org.nd4j.linalg.factory.Nd4j.getAffinityManager().getDeviceForCurrentThread();
    }
}
