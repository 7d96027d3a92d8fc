package io.fedlake.bench;

import io.fedlake.train.RoundLog;
import io.fedlake.train.RoundMetrics;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingContext;
import io.fedlake.train.TrainingShards;
import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * The benchmark's compute bound for training: the same network fitted on the same minibatches in one process, no
 * Spark in the loop — rows are pulled to the driver once, encoded by the same translator into one
 * {@link EncodedShard}, and {@code fit} is called minibatch by minibatch with the given number of ND4J threads.
 * Logged to {@code training.rounds} per epoch like the distributed regimes. Benchmark only: it collects the
 * training data to the driver.
 */
final class SingleProcessTrainer implements Trainer {

    static final String REGIME = "single-process";

    private final int threads;

    /** @param threads ND4J and BLAS threads for the fit calls */
    SingleProcessTrainer(int threads) {
        this.threads = threads;
    }

    @Override
    public String regime() {
        return REGIME;
    }

    @Override
    public ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        RoundLog log = new RoundLog(ctx, REGIME, null, config.epochs());
        EncodedShard data = EncodedShard.encode("all", 0, rows.toLocalIterator(), translator, ctx.rejected());
        EncodedShard holdout = EncodedShard.encode("holdout", 0, ctx.holdout().toLocalIterator(), translator, null);
        int binary = TrainingShards.evaluatedOutput(translator);
        int batch = config.batchSize();
        try (log) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long t0 = System.nanoTime();
                int[] order = data.order(config.seed() * 31 + epoch);
                double loss = 0;
                int batches = 0;
                for (int from = 0; from < data.rows(); from += batch) {
                    network.fit(data.minibatch(order, from, Math.min(data.rows(), from + batch)));
                    loss += network.score();
                    batches++;
                }
                long e0 = System.nanoTime();
                RoundMetrics m = new RoundMetrics();
                float[] labels = holdout.labels(binary);
                int width = holdout.labelWidth(binary);
                for (int from = 0; from < holdout.rows(); from += 4096) {
                    int to = Math.min(holdout.rows(), from + 4096);
                    m.addBatch(network.output(false, holdout.features(from, to))[binary], labels, from, width);
                }
                long e1 = System.nanoTime();
                log.record(new RoundLog.Round(epoch, epoch, 1, loss / batches, m, 1, 1, data.rows(), 0, null, null, (e1 - t0) / 1e9,
                        (e1 - e0) / 1e9, List.of()));
            }
        }
        return network;
    }
}
