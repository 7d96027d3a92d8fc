package io.fedlake.train;

import io.fedlake.core.Seeds;
import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
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

    @Override
    public String regime() {
        return REGIME;
    }

    @Override
    public ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx) {
        RoundLog log = new RoundLog(ctx, REGIME, null, 0);
        LocalFit.taskThreads();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        int workers = config.workers() > 0 ? config.workers() : jsc.defaultParallelism();
        JavaRDD<EncodedShard> shards = shardByWorker(rows, translator, config, ctx, workers);
        HeldOutEvaluation evaluation = new HeldOutEvaluation(jsc, network, translator, ctx.holdout(), "round evaluation");
        try {
            Schedule schedule = schedule(encodedSizes(shards, workers, ctx), network, config, workers);
            Rounds rounds = new Rounds(jsc, shards, evaluation, evaluation.sha256(), evaluation.architecture(), schedule, config.seed(),
                    config.checkpointEvery());
            Parameters trained = runRounds(rounds, log, ctx, new Parameters(LocalFit.params(network), LocalFit.updaterState(network)));
            if (ctx.stopping() != null && ctx.stopping().best() != null) {
                trained = new Parameters(ctx.stopping().best(), new float[0]);   // the best round's parameters; its optimiser state is not kept
            }
            network.setParams(Nd4j.create(trained.params()));
            if (trained.updater().length > 0) {
                network.getUpdater().getStateViewArray().assign(Nd4j.create(trained.updater()));
            }
            return network;
        } finally {
            shards.unpersist();
            evaluation.close();
        }
    }

    /**
     * How the rounds run: {@code stepsPerEpoch} averaging steps of {@code k} minibatches of {@code batch} rows per
     * epoch; the fingerprint ties a checkpoint to the settings that produced it.
     */
    private record Schedule(int workers, int batch, int k, int stepsPerEpoch, int totalRounds, int evalEvery, String fingerprint) {
    }

    /** What every round uses: the shards, the evaluation (with the architecture's broadcast and SHA-256) and the schedule. */
    private record Rounds(JavaSparkContext jsc, JavaRDD<EncodedShard> shards, HeldOutEvaluation evaluation, String sha, Broadcast<byte[]> arch,
                          Schedule schedule, long seed, int checkpointEvery) {
    }

    /** The global parameters and optimiser state between averaging steps. */
    private record Parameters(float[] params, float[] updater) {
    }

    /** A round's holdout metrics (null when it was not evaluated) and the seconds the evaluation took. */
    private record Evaluated(RoundMetrics metrics, double seconds) {
    }

    /** The parameters after a round, and whether early stopping ends training there. */
    private record RoundResult(Parameters next, boolean stop) {
    }

    /** Rows go to workers by a seeded hash of the entity key, then each worker's rows are encoded once. */
    private static JavaRDD<EncodedShard> shardByWorker(Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx,
                                                       int workers) {
        List<String> names = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            names.add("worker-" + w);
        }
        long seed = config.seed();
        Dataset<Row> withShard = rows.withColumn("__shard", pmod(xxhash64(col(config.spec().entityKey()), lit(seed + 2)), lit((long) workers)).cast("int"));
        return TrainingShards.shard(withShard, config.spec().entityKey(), seed, workers, "__shard", names, translator, ctx.rejected());
    }

    /** Each worker shard's row count (the pass that encodes the shards), reported as one progress line. */
    private static List<Integer> encodedSizes(JavaRDD<EncodedShard> shards, int workers, TrainingContext ctx) {
        long s0 = System.nanoTime();
        List<Integer> sizes = shards.map(EncodedShard::rows).collect();
        ctx.progress().accept(String.format("%,d training rows encoded into %d worker shards in %.1f s", sizes.stream().mapToLong(n -> n).sum(),
                workers, (System.nanoTime() - s0) / 1e9));
        return sizes;
    }

    private static Schedule schedule(List<Integer> sizes, ComputationGraph network, TrainConfig config, int workers) {
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
                config.architecture(), network.numParams(), workers, batch, k, config.epochs(), config.seed())
                + (config.earlyStopping() == null ? "" : " stopping=" + config.earlyStopping());
        return new Schedule(workers, batch, k, stepsPerEpoch, totalRounds, evalEvery, fingerprint);
    }

    /** Every round from the start (or from the latest checkpoint on resume) to the last; the log is closed at the end. */
    private static Parameters runRounds(Rounds run, RoundLog log, TrainingContext ctx, Parameters initial) {
        Schedule schedule = run.schedule();
        Parameters current = initial;
        int startRound = 0;
        try (log; Checkpoint.Writer checkpoints = new Checkpoint.Writer(ctx.checkpointDir(), run.jsc().hadoopConfiguration())) {
            log.totalRounds(schedule.totalRounds());
            if (ctx.resume()) {
                Checkpoint c = Checkpoint.latest(ctx.checkpointDir(), schedule.fingerprint(), run.jsc().hadoopConfiguration());
                startRound = c.round();
                current = new Parameters(c.array("params"), c.array("updater"));
                if (ctx.stopping() != null) {
                    ctx.stopping().restore(new java.util.HashMap<>(c.arrays()));
                }
                log.resumeAfter(startRound, c.roundLog());
                ctx.progress().accept("resumed from the checkpoint of round " + startRound + "/" + schedule.totalRounds());
            }
            for (int round = startRound + 1; round <= schedule.totalRounds(); round++) {
                RoundResult r = runRound(run, round, current, checkpoints, log, ctx.stopping());
                current = r.next();
                if (r.stop()) {
                    break;
                }
            }
        }
        return current;
    }

    /**
     * One averaging step: local fits on every worker, average, evaluate (and let early stopping see the result) and
     * checkpoint when due, log the round.
     */
    private static RoundResult runRound(Rounds run, int round, Parameters current, Checkpoint.Writer checkpoints, RoundLog log,
                                        EarlyStopping.Tracker stopping) {
        Schedule schedule = run.schedule();
        long t0 = System.nanoTime();
        int epoch = (round - 1) / schedule.stepsPerEpoch();
        Averages avg = averageStep(run, round, epoch, current);
        Parameters next = new Parameters(avg.params.divideBy(avg.params.terms()),
                current.updater().length > 0 ? avg.updater.divideBy(avg.updater.terms()) : current.updater());
        Evaluated evaluated = evaluateIfDue(run, round, next);
        boolean stop = stopping != null && evaluated.metrics() != null && stopping.observe(round, epoch + 1, evaluated.metrics(), next.params());
        long bytes = 16L * (next.params().length + next.updater().length) * avg.params.terms();
        log.stage(new RoundLog.Round(round, epoch + 1, 1, avg.batches == 0 ? null : avg.lossSum / avg.batches, evaluated.metrics(),
                schedule.workers(), (int) avg.params.terms(), avg.examples, bytes, null, null, (System.nanoTime() - t0) / 1e9, evaluated.seconds(),
                List.of()));
        if (round % run.checkpointEvery() == 0 || round == schedule.totalRounds()) {
            Map<String, float[]> arrays = new java.util.LinkedHashMap<>(Map.of("params", next.params(), "updater", next.updater()));
            if (stopping != null) {
                arrays.putAll(stopping.state());
            }
            checkpoints.submit(new Checkpoint(round, schedule.fingerprint(), arrays, null, log.unflushed()));
        }
        log.release();
        return new RoundResult(next, stop);
    }

    /** Every worker fits its next {@code k} minibatches from the global state; one treeAggregate sums the results. */
    private static Averages averageStep(Rounds run, int round, int epoch, Parameters current) {
        Schedule schedule = run.schedule();
        int step = (round - 1) % schedule.stepsPerEpoch();
        Broadcast<float[]> p = run.jsc().broadcast(current.params());
        Broadcast<float[]> u = run.jsc().broadcast(current.updater());
        Broadcast<byte[]> arch = run.arch();
        Step s = new Step(round, epoch, step, schedule.k(), schedule.batch(), run.seed(), run.sha());
        Averages avg = run.shards().treeAggregate(new Averages(current.params().length, current.updater().length),
                (acc, shard) -> s.fit(acc, shard, arch, p, u), Averages::merge, 2);
        p.destroy();
        u.destroy();
        return avg;
    }

    private static Evaluated evaluateIfDue(Rounds run, int round, Parameters next) {
        RoundMetrics metrics = null;
        long e0 = System.nanoTime();
        if (round % run.schedule().evalEvery() == 0 || round == run.schedule().totalRounds()) {
            metrics = run.evaluation().evaluate(next.params());
        }
        return new Evaluated(metrics, (System.nanoTime() - e0) / 1e9);
    }

    /** What one averaging step asks of a worker. */
    private record Step(int round, int epoch, int step, int k, int batch, long seed, String sha) implements Serializable {

        Averages fit(Averages acc, EncodedShard shard, Broadcast<byte[]> arch, Broadcast<float[]> params, Broadcast<float[]> updater) {
            int batches = (shard.rows() + batch - 1) / batch;
            int first = step * k;
            int last = Math.min(batches, first + k);
            if (first >= last) {
                return acc;                               // this worker has no minibatches left in this epoch
            }
            ComputationGraph net = LocalFit.borrow(sha, arch);
            try {
                LocalFit.checkTrainingBatch(sha, net, shard, batch);
                LocalFit.load(net, params.value(), updater.value(), (round - 1) * k, epoch,
                        Seeds.mix(seed, ((long) round << 20) + shard.index()));
                int[] order = shard.order(Seeds.mix(seed + 3, ((long) epoch << 20) + shard.index()));
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

        Averages merge(Averages o) {
            params.merge(o.params);
            updater.merge(o.updater);
            lossSum += o.lossSum;
            batches += o.batches;
            examples += o.examples;
            return this;
        }
    }
}
