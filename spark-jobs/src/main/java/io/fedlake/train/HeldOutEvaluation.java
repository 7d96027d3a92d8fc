package io.fedlake.train;

import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.artifact.NetworkBytes;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What every regime sets up once per run to evaluate its rounds on the holdout split: the holdout rows encoded into
 * persisted shards, and the network's architecture broadcast (with its SHA-256, the key executors cache built networks
 * under — the regimes' training tasks borrow networks by the same key). {@link #evaluate} broadcasts one set of
 * parameters and computes the held-out metrics of the first binary output; {@link #close} releases both.
 */
public final class HeldOutEvaluation implements AutoCloseable {

    private final JavaSparkContext jsc;
    private final JavaRDD<EncodedShard> holdout;
    private final String sha256;
    private final Broadcast<byte[]> architecture;
    private final int evaluatedOutput;
    private final io.fedlake.zoo.ModelSpec.Output output;

    /** @param purpose names the accumulator that counts holdout rows the translator could not encode */
    public HeldOutEvaluation(JavaSparkContext jsc, ComputationGraph network, RowTranslator translator, Dataset<Row> holdoutRows, String purpose) {
        this.jsc = jsc;
        this.evaluatedOutput = TrainingShards.evaluatedOutput(translator);
        this.output = translator.spec().outputs().get(evaluatedOutput);
        byte[] bytes = NetworkBytes.toBytes(network, false);
        this.sha256 = NetworkBytes.sha256(bytes);
        this.holdout = TrainingShards.holdout(holdoutRows, translator, jsc.sc().longAccumulator("holdout rows not encodable (" + purpose + ")"));
        this.architecture = jsc.broadcast(bytes);
    }

    public String sha256() {
        return sha256;
    }

    public Broadcast<byte[]> architecture() {
        return architecture;
    }

    public RoundMetrics evaluate(float[] params) {
        Broadcast<float[]> p = jsc.broadcast(params);
        try {
            return TrainingShards.evaluate(holdout, sha256, architecture, p, evaluatedOutput, output);
        } finally {
            p.destroy();
        }
    }

    @Override
    public void close() {
        holdout.unpersist();
        architecture.destroy();
    }
}
