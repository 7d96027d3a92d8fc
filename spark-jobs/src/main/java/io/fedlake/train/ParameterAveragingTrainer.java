package io.fedlake.train;

import io.fedlake.train.federated.ClientSampling;
import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.artifact.NetworkBytes;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * {@code paramavg}: Fedlake's own synchronous parameter averaging, the same maths as dl4j-spark's
 * ParameterAveragingTrainingMaster — each worker fits {@code averagingFrequency} minibatches of {@code batchSize}
 * from the global parameters and optimiser state, then parameters and optimiser state are averaged over the
 * workers — without its costs: rows are encoded once into per-worker {@link EncodedShard}s persisted serialised
 * (no export step, no per-row INDArray), networks stay built on the executors between steps, and the average is
 * one {@code treeAggregate} of exact fixed-point sums ({@link ExactSum}), so the result does not depend on the
 * order tasks finish. Rows go to workers by a seeded hash of the entity key and each worker reshuffles its rows
 * every epoch from (seed, epoch, worker): the same seed, data and worker count give identical final parameters.
 * Each averaging step is a round: it is checkpointed and logged to {@code training.rounds}.
 */
public final class ParameterAveragingTrainer implements Trainer {

    public static final String REGIME = "paramavg";
    /** Session setting: {@code false} runs one Spark job per averaging step instead of barrier stages. */
    public static final String BARRIER_CONF = "spark.fedlake.paramavg.barrier";

    @Override
    public String regime() {
        return REGIME;
    }

    @Override
    public ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx) {
        RoundLog log = new RoundLog(ctx.lake(), ctx.runId(), ctx.modelName(), REGIME, null, 0, ctx.progress());
        LocalFit.taskThreads();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        int workers = config.workers() > 0 ? config.workers() : jsc.defaultParallelism();
        List<String> names = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            names.add("worker-" + w);
        }
        long seed = config.seed();
        Dataset<Row> withShard = rows.withColumn("__shard", pmod(xxhash64(col(config.spec().entityKey()), lit(seed + 2)), lit((long) workers)).cast("int"));
        JavaRDD<EncodedShard> shards = TrainingShards.shard(withShard, config.spec().entityKey(), seed, workers, "__shard", names,
                translator, ctx.rejected());
        JavaRDD<EncodedShard> holdout = TrainingShards.holdout(ctx.holdout(), translator,
                jsc.sc().longAccumulator("holdout rows not encodable (round evaluation)"));
        byte[] architecture = NetworkBytes.toBytes(network, false);
        String sha = NetworkBytes.sha256(architecture);
        Broadcast<byte[]> arch = jsc.broadcast(architecture);
        int binaryOutput = TrainingShards.firstBinaryOutput(translator);
        try {
            long s0 = System.nanoTime();
            List<Integer> sizes = shards.map(EncodedShard::rows).collect();
            ctx.progress().accept(String.format("%,d training rows encoded into %d worker shards in %.1f s", sizes.stream().mapToLong(n -> n).sum(),
                    workers, (System.nanoTime() - s0) / 1e9));
            int batch = config.batchSize();
            int k = config.averagingFrequency();
            int maxBatches = sizes.stream().mapToInt(n -> (n + batch - 1) / batch).max().orElse(0);
            if (maxBatches == 0) {
                throw new IllegalStateException("no training rows could be encoded");
            }
            int stepsPerEpoch = (maxBatches + k - 1) / k;
            int totalRounds = stepsPerEpoch * config.epochs();
            int evalEvery = config.evalEvery() > 0 ? config.evalEvery() : stepsPerEpoch;
            String fingerprint = String.format("%s table=%s arch=%s params=%d workers=%d batch=%d k=%d epochs=%d seed=%d", REGIME, config.table(),
                    config.architecture(), network.numParams(), workers, batch, k, config.epochs(), seed);

            float[] params = LocalFit.params(network);
            float[] updater = LocalFit.updaterState(network);
            int startRound = 0;
            try (log; Checkpoint.Writer checkpoints = new Checkpoint.Writer(ctx.checkpointDir())) {
                log.totalRounds(totalRounds);
                if (ctx.resume()) {
                    Checkpoint c = Checkpoint.latest(ctx.checkpointDir(), fingerprint);
                    startRound = c.round();
                    params = c.array("params");
                    updater = c.array("updater");
                    log.truncateAfter(startRound);
                    ctx.progress().accept("resumed from the checkpoint of round " + startRound + "/" + totalRounds);
                }
                boolean barrier = barrierMode(rows.sparkSession(), workers);
                ctx.progress().accept(barrier
                        ? "averaging inside one barrier stage per evaluation interval (allGather between steps)"
                        : "averaging with one Spark job per step (treeAggregate)");
                int round = startRound + 1;
                while (round <= totalRounds) {
                    // rounds up to the next evaluation run in one barrier stage; without barrier mode, one job per round
                    int last = round;
                    while (barrier && last < totalRounds && last % evalEvery != 0) {
                        last++;
                    }
                    long t0 = System.nanoTime();
                    Broadcast<float[]> p = jsc.broadcast(params);
                    Broadcast<float[]> u = jsc.broadcast(updater);
                    Segment seg = new Segment(round, last, stepsPerEpoch, k, batch, seed, sha, totalRounds, config.checkpointEvery(), fingerprint,
                            ctx.checkpointDir());
                    SegmentResult result;
                    if (barrier) {
                        result = shards.rdd().barrier().mapPartitions(new SegmentTask(seg, arch, p, u), false,
                                scala.reflect.ClassTag$.MODULE$.apply(SegmentResult.class)).toJavaRDD().collect().get(0);
                    } else {
                        Step s = new Step(round, (round - 1) / stepsPerEpoch, (round - 1) % stepsPerEpoch, k, batch, seed, sha);
                        Averages avg = shards.treeAggregate(new Averages(params.length, updater.length),
                                (acc, shard) -> s.fit(acc, shard, arch, p.value(), u.value()), Averages::merge, 2);
                        result = new SegmentResult(List.of(avg.stats(round, 0)), avg.params.divideBy(avg.params.terms()),
                                updater.length > 0 ? avg.updater.divideBy(avg.updater.terms()) : updater);
                        if (round % config.checkpointEvery() == 0 || round == totalRounds) {
                            checkpoints.submit(new Checkpoint(round, fingerprint, Map.of("params", result.params, "updater", result.updater), null));
                        }
                    }
                    p.destroy();
                    u.destroy();
                    params = result.params;
                    updater = result.updater;
                    // the stage's start-up (scheduling, deserialisation) counts in the first round's time
                    double segmentSeconds = (System.nanoTime() - t0) / 1e9;
                    double inRounds = result.rounds.stream().mapToDouble(RoundStats::seconds).sum();
                    RoundMetrics metrics = null;
                    long e0 = System.nanoTime();
                    if (last % evalEvery == 0 || last == totalRounds) {
                        Broadcast<float[]> g = jsc.broadcast(params);
                        metrics = TrainingShards.evaluate(holdout, sha, arch, g, binaryOutput);
                        g.destroy();
                    }
                    double evalSeconds = (System.nanoTime() - e0) / 1e9;
                    for (RoundStats r : result.rounds) {
                        boolean isLast = r.round == last;
                        double seconds = r.seconds + (r.round == round ? Math.max(0, segmentSeconds - inRounds) : 0) + (isLast ? evalSeconds : 0);
                        long bytes = 16L * (params.length + updater.length) * r.terms;
                        log.record(new RoundLog.Round(r.round, (r.round - 1) / stepsPerEpoch + 1, 1, r.batches == 0 ? null : r.lossSum / r.batches,
                                isLast ? metrics : null, workers, r.terms, r.examples, bytes, null, null, seconds, isLast ? evalSeconds : 0, List.of()));
                    }
                    round = last + 1;
                }
            }
            network.setParams(Nd4j.create(params));
            if (updater.length > 0) {
                network.getUpdater().getStateViewArray().assign(Nd4j.create(updater));
            }
            return network;
        } finally {
            shards.unpersist();
            holdout.unpersist();
            arch.destroy();
        }
    }

    /** What one averaging step asks of a worker. */
    private record Step(int round, int epoch, int step, int k, int batch, long seed, String sha) implements Serializable {

        Averages fit(Averages acc, EncodedShard shard, Broadcast<byte[]> arch, float[] params, float[] updater) {
            int batches = (shard.rows() + batch - 1) / batch;
            int first = step * k;
            int last = Math.min(batches, first + k);
            if (first >= last) {
                return acc;                               // this worker has no minibatches left in this epoch
            }
            ComputationGraph net = LocalFit.borrow(sha, arch);
            try {
                LocalFit.load(net, params, updater, (round - 1) * k, epoch,
                        ClientSampling.mix(seed, ((long) round << 20) + shard.index()));
                int[] order = shard.order(ClientSampling.mix(seed + 3, ((long) epoch << 20) + shard.index()));
                for (int b = first; b < last; b++) {
                    int from = b * batch;
                    int to = Math.min(shard.rows(), from + batch);
                    net.fit(shard.minibatch(order, from, to));
                    acc.lossSum += net.score();
                    acc.batches++;
                    acc.examples += to - from;
                }
                acc.params.add(LocalFit.params(net), 1, 1);
                float[] state = LocalFit.updaterState(net);
                if (state.length > 0) {
                    acc.updater.add(state, 1, 1);
                }
            } finally {
                LocalFit.giveBack(sha, net);
            }
            return acc;
        }
    }

    /** treeAggregate's accumulator: exact sums of the workers' parameters and optimiser states. */
    static final class Averages implements Serializable {
        private static final long serialVersionUID = 1L;
        final ExactSum params;
        final ExactSum updater;
        double lossSum;
        long batches;
        long examples;

        Averages(int params, int updater) {
            this.params = new ExactSum(params);
            this.updater = new ExactSum(updater);
        }

        RoundStats stats(int round, double seconds) {
            return new RoundStats(round, lossSum, batches, examples, (int) params.terms(), seconds);
        }

        Averages merge(Averages o) {
            params.merge(o.params);
            updater.merge(o.updater);
            lossSum += o.lossSum;
            batches += o.batches;
            examples += o.examples;
            return this;
        }
    }

    /** What one round's workers did together: summed training loss, minibatches, examples, contributing workers, seconds. */
    record RoundStats(int round, double lossSum, long batches, long examples, int terms, double seconds) implements Serializable {
    }

    /** The parameters and optimiser state after a segment's last round, and each round's figures. */
    record SegmentResult(List<RoundStats> rounds, float[] params, float[] updater) implements Serializable {
    }

    /** Rounds {@code first..last} (inclusive) run as one barrier stage, and where their checkpoints go. */
    record Segment(int first, int last, int stepsPerEpoch, int k, int batch, long seed, String sha, int totalRounds, int checkpointEvery,
                   String fingerprint, String checkpointDir) implements Serializable {
    }

    /**
     * Whether averaging runs inside barrier stages: all workers must run at once (at most one per task slot, known
     * here as Spark's default parallelism) and executors must not come and go (no dynamic allocation).
     * {@link #BARRIER_CONF}{@code =false} turns it off.
     */
    static boolean barrierMode(org.apache.spark.sql.SparkSession spark, int workers) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return workers <= jsc.defaultParallelism()
                && !jsc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)
                && Boolean.parseBoolean(spark.conf().get(BARRIER_CONF, "true"));
    }

    /**
     * One worker's part of a barrier stage: for each round of the segment it fits its {@code k} minibatches, shares its
     * parameters and optimiser state with every other worker through {@code allGather} (in partition order), and each
     * worker computes the same exact average ({@link ExactSum}) — the same numbers the driver-side path gets from
     * treeAggregate, without a Spark job per step. Worker 0 writes the checkpoints and returns the result.
     */
    static final class SegmentTask extends scala.runtime.AbstractFunction1<scala.collection.Iterator<EncodedShard>, scala.collection.Iterator<SegmentResult>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Segment seg;
        private final Broadcast<byte[]> arch;
        private final Broadcast<float[]> params;
        private final Broadcast<float[]> updater;

        SegmentTask(Segment seg, Broadcast<byte[]> arch, Broadcast<float[]> params, Broadcast<float[]> updater) {
            this.seg = seg;
            this.arch = arch;
            this.params = params;
            this.updater = updater;
        }

        @Override
        public scala.collection.Iterator<SegmentResult> apply(scala.collection.Iterator<EncodedShard> it) {
            EncodedShard shard = it.next();
            org.apache.spark.BarrierTaskContext ctx = org.apache.spark.BarrierTaskContext.get();
            boolean lead = ctx.partitionId() == 0;
            float[] p = params.value();
            float[] u = updater.value();
            List<RoundStats> rounds = new ArrayList<>();
            try (Checkpoint.Writer checkpoints = lead ? new Checkpoint.Writer(seg.checkpointDir()) : null) {
                for (int round = seg.first(); round <= seg.last(); round++) {
                    long t0 = System.nanoTime();
                    Step step = new Step(round, (round - 1) / seg.stepsPerEpoch(), (round - 1) % seg.stepsPerEpoch(), seg.k(), seg.batch(), seg.seed(),
                            seg.sha());
                    Averages mine = step.fit(new Averages(p.length, u.length), shard, arch, p, u);
                    Averages all = new Averages(p.length, u.length);
                    for (String message : ctx.allGather(Contribution.encode(mine, p.length, u.length))) {
                        Contribution.addTo(all, message);
                    }
                    p = all.params.divideBy(all.params.terms());
                    if (u.length > 0) {
                        u = all.updater.divideBy(all.updater.terms());
                    }
                    if (lead) {
                        rounds.add(all.stats(round, (System.nanoTime() - t0) / 1e9));
                        if (round % seg.checkpointEvery() == 0 || round == seg.totalRounds()) {
                            checkpoints.submit(new Checkpoint(round, seg.fingerprint(), Map.of("params", p, "updater", u), null));
                        }
                    }
                }
            }
            List<SegmentResult> out = lead ? List.of(new SegmentResult(rounds, p, u)) : List.of();
            return scala.collection.JavaConverters.asScalaIterator(out.iterator());
        }
    }

    /**
     * A worker's contribution to one step as an {@code allGather} message: whether it trained, its loss sum, minibatch
     * and example counts, and (if it trained) its parameters and optimiser state as raw floats, Base64-encoded.
     */
    static final class Contribution {
        private Contribution() {
        }

        static String encode(Averages mine, int params, int updater) {
            boolean trained = mine.params.terms() > 0;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 8 + 8 + 8 + (trained ? 4 * (params + updater) : 0));
            b.put((byte) (trained ? 1 : 0)).putDouble(mine.lossSum).putLong(mine.batches).putLong(mine.examples);
            if (trained) {
                for (float f : mine.params.divideBy(1)) {
                    b.putFloat(f);
                }
                for (float f : mine.updater.divideBy(1)) {
                    b.putFloat(f);
                }
            }
            return java.util.Base64.getEncoder().encodeToString(b.array());
        }

        static void addTo(Averages all, String message) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(message));
            boolean trained = b.get() == 1;
            all.lossSum += b.getDouble();
            all.batches += b.getLong();
            all.examples += b.getLong();
            if (trained) {
                float[] p = new float[all.params.length()];
                float[] u = new float[all.updater.length()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = b.getFloat();
                }
                for (int i = 0; i < u.length; i++) {
                    u[i] = b.getFloat();
                }
                all.params.add(p, 1, 1);
                if (u.length > 0) {
                    all.updater.add(u, 1, 1);
                }
            }
        }
    }
}
