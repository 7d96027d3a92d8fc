package io.fedlake.train.federated;

import io.fedlake.core.UserError;
import io.fedlake.train.Checkpoint;
import io.fedlake.train.EarlyStopping;
import io.fedlake.train.HeldOutEvaluation;
import io.fedlake.train.ExactSum;
import io.fedlake.train.LocalFit;
import io.fedlake.train.RoundLog;
import io.fedlake.train.RoundMetrics;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingContext;
import io.fedlake.train.TrainingShards;
import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;

/**
 * {@code fedavg}: federated averaging over Spark partitions, one partition per client — the distinct values of the
 * client column (a bank branch, a hospital, a plant). Rows are grouped by client once (a shuffle that stands in for
 * data that already lives at each client) and encoded into per-client {@link EncodedShard}s; from then on raw rows
 * never leave their client's task: each round, the selected clients train E local epochs of batch B from the
 * global parameters and only their parameter deltas reach the driver, through one {@code treeAggregate}. The
 * {@link Strategy} chooses clients and turns the results into the next global model (FedAvg, FedAvgM, FedAdam,
 * FedProx, median, trimmed mean); failed, dropped, timed-out or straggling clients are reported to it and a round
 * that completes fewer than the minimum share of its clients is retried or fails the job. Every round is
 * checkpointed and logged to {@code training.rounds}; randomness derives from (seed, round, attempt, client), so a
 * resumed run reaches the same parameters as an uninterrupted one — except under DP-FedAvg, whose noise and Poisson
 * client sampling come from a secure generator that nobody holding the seed can replay.
 *
 * <p>Under DP or secure aggregation nothing per client but whether it delivered reaches the driver or
 * {@code training.rounds}; secure aggregation's pair masks come from X25519 key agreement between the clients' own
 * tasks ({@link ClientMasking}), the driver only relays public keys.
 */
public final class FederatedTrainer implements Trainer {

    public static final String REGIME = "fedavg";

    private final Strategy strategy;
    private final ClientLimits limits;
    private final Map<String, Object> report = new LinkedHashMap<>();
    /** DP-FedAvg's noise and Poisson sampling; a DRBG seeded from the platform, never from the job's seed. */
    private java.security.SecureRandom privacy;
    /** Secure aggregation: the clients' X25519 public keys (X.509), the only key material the driver holds. */
    private Map<String, byte[]> publicKeys = Map.of();
    /** Secure aggregation: the Hadoop configuration for the client tasks' key store reads. */
    private Broadcast<org.apache.spark.util.SerializableConfiguration> hadoopConf;
    private final java.security.SecureRandom nonces = new java.security.SecureRandom();
    private String runId;

    public FederatedTrainer(Strategy strategy) {
        this(strategy, ClientLimits.DEFAULTS);
    }

    public FederatedTrainer(Strategy strategy, ClientLimits limits) {
        this.strategy = strategy;
        this.limits = limits;
    }

    @Override
    public String regime() {
        return REGIME;
    }

    @Override
    public Map<String, Object> report() {
        return report;
    }

    @Override
    public ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx) {
        if (!(config.regimeSettings() instanceof FederatedConfig f)) {
            throw new IllegalArgumentException(REGIME + " needs federated settings (client column, rounds, …)");
        }
        if ((f.secureAggregation() || f.dp() != null) && strategy.needsIndividualUpdates()) {
            throw new UserError("strategy " + strategy.name() + " needs each client's update, but "
                    + (f.secureAggregation() ? "secure aggregation" : "DP-FedAvg") + " only reveals their sum; use one of "
                    + String.join(", ", Strategies.names().stream().filter(n -> !Strategies.create(n).needsIndividualUpdates()).toList()));
        }
        RoundLog log = new RoundLog(ctx, REGIME, strategy.name(), f.rounds());
        runId = ctx.runId();
        LocalFit.taskThreads();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        String clientColumn = f.clientColumn();
        if (!List.of(rows.columns()).contains(clientColumn)) {
            throw UserError.missingColumns(config.table(), List.of(clientColumn), List.of(rows.columns()));
        }
        // one pass for the client list and the rows without a client (two queries used to scan the table twice);
        // under DP or secure aggregation the per-client row counts stay on the executors
        boolean hidden = f.secureAggregation() || f.dp() != null;
        org.apache.spark.sql.Column clientName = col(clientColumn).cast("string");
        Dataset<Row> perClient = rows.groupBy(clientName.as("client")).count();
        if (hidden) {
            perClient = perClient.select(col("client"), functions.when(col("client").isNull(), col("count")).otherwise(0L).as("count"));
        }
        long noClient = 0;
        List<String> found = new ArrayList<>();
        // at most maxClients + 1 clients (and the null group) reach the driver: enough to tell the cap was passed
        for (Row r : perClient.limit(limits.maxClients() + 2).collectAsList()) {
            if (r.isNullAt(0)) {
                noClient = r.getLong(1);
            } else {
                found.add(r.getString(0));
            }
        }
        if (noClient > 0) {
            ctx.rejected().add(noClient);
            ctx.progress().accept(String.format("%,d rows have no %s and are not trained on", noClient, clientColumn));
        }
        if (found.size() > limits.maxClients()) {
            throw new UserError("--client-column " + clientColumn + " has more than " + limits.maxClients() + " distinct values in "
                    + config.table() + " (--max-clients): each client is a shard and a task; pick a coarser column or raise the cap");
        }
        Dataset<Row> assigned = rows.where(col(clientColumn).isNotNull());
        List<String> clients = found.stream().sorted().toList();
        if (clients.isEmpty()) {
            throw new UserError("table " + config.table() + " has no rows with a " + clientColumn + " to train on");
        }
        Dataset<Row> withShard = ClientIndex.withShardIndex(assigned, clientColumn, clients);
        long seed = config.seed();
        JavaRDD<EncodedShard> shards = TrainingShards.shard(withShard, config.spec().entityKey(), seed, clients.size(), "__shard",
                clients, translator, ctx.rejected());
        HeldOutEvaluation evaluation = new HeldOutEvaluation(jsc, network, translator, ctx.holdout(), "round evaluation");
        try {
            Map<String, Integer> sizes = new HashMap<>();
            Map<String, Integer> partitionOf = new HashMap<>();
            shards.map(s -> new Object[]{s.client(), hidden ? (s.rows() > 0 ? 1 : 0) : s.rows(), s.index()}).collect().forEach(a -> {
                sizes.put((String) a[0], (Integer) a[1]);
                partitionOf.put((String) a[0], (Integer) a[2]);
            });
            List<String> available = clients.stream().filter(c -> sizes.getOrDefault(c, 0) > 0).toList();
            ctx.progress().accept(hidden ? String.format("%d clients by %s (their sizes stay with them: %s); strategy %s", available.size(), clientColumn,
                    f.dp() != null ? "DP-FedAvg" : "secure aggregation", strategy.name())
                    : String.format("%d clients by %s, %,d to %,d training rows each; strategy %s", available.size(), clientColumn,
                    available.stream().mapToInt(sizes::get).min().orElse(0), available.stream().mapToInt(sizes::get).max().orElse(0), strategy.name()));
            RoundShards<EncodedShard> roundShards = new RoundShards<>(shards, partitionOf);
            if (f.secureAggregation()) {
                publicKeys = advertiseKeys(jsc, roundShards, available, f.clientKeys());
                ctx.progress().accept(String.format("secure aggregation: %d client public keys relayed from %s", publicKeys.size(), f.clientKeys()));
            }
            return runRounds(log, network, config, ctx, f, jsc, roundShards, evaluation, available);
        } finally {
            shards.unpersist();
            evaluation.close();
            if (hadoopConf != null) {
                hadoopConf.destroy();
                hadoopConf = null;
            }
        }
    }

    /**
     * Secure aggregation's key advertisement (Bonawitz et al. 2017, round 0): each available client's own task opens
     * its key folder — creating its long-term X25519 pair on first use — and sends back only its public key.
     */
    private Map<String, byte[]> advertiseKeys(JavaSparkContext jsc, RoundShards<EncodedShard> shards, List<String> available, String store) {
        hadoopConf = jsc.broadcast(new org.apache.spark.util.SerializableConfiguration(jsc.hadoopConfiguration()));
        Broadcast<org.apache.spark.util.SerializableConfiguration> hc = hadoopConf;
        Map<String, byte[]> keys = new java.util.TreeMap<>();
        shards.of(available).map(s -> new Object[]{s.client(), new ClientKeyStore(store, hc.value().value()).ensure(s.client())}).collect()
                .forEach(a -> keys.put((String) a[0], (byte[]) a[1]));
        return keys;
    }

    private ComputationGraph runRounds(RoundLog log, ComputationGraph network, TrainConfig config, TrainingContext ctx, FederatedConfig f, JavaSparkContext jsc,
                                       RoundShards<EncodedShard> shards, HeldOutEvaluation evaluation, List<String> available) {
        Rounds run = configureRounds(network, config, ctx, f, jsc, shards, evaluation, available);
        State state = new State(network.params().dup().data().asFloat(), f.dp() != null ? new RdpAccountant() : null);
        try (log; Checkpoint.Writer checkpoints = new Checkpoint.Writer(ctx.checkpointDir(), jsc.hadoopConfiguration())) {
            int start = ctx.resume() ? resume(run, state, log) : 0;
            state.roundsRun = start;
            for (int round = start + 1; round <= f.rounds(); round++) {
                if (!runRound(run, round, state, checkpoints, log)) {
                    break;
                }
            }
        }
        reportRun(run, state);
        EarlyStopping.Tracker stopping = ctx.stopping();
        network.setParams(Nd4j.create(stopping != null && stopping.best() != null ? stopping.best() : state.global));
        return network;
    }

    /**
     * What every round of the run uses.
     *
     * @param fingerprint ties a checkpoint to the settings that produced it
     * @param q           the client sampling fraction
     */
    private record Rounds(TrainConfig config, FederatedConfig f, TrainingContext ctx, JavaSparkContext jsc, RoundShards<EncodedShard> shards,
                          HeldOutEvaluation evaluation, List<String> available, String fingerprint, int evalEvery, double q) {
    }

    /** What changes from round to round: the global parameters, the privacy spent, and what the report says of the run. */
    private static final class State {
        float[] global;
        /** DP-FedAvg's accountant, else null. */
        final RdpAccountant accountant;
        Double epsilon;
        Double lastAuc;
        int roundsRun;

        State(float[] global, RdpAccountant accountant) {
            this.global = global;
            this.accountant = accountant;
        }
    }

    /** A round's attempt that completed enough of its clients. */
    private record Attempt(int number, Outcome outcome) {
    }

    /** A round's holdout metrics (null when it was not evaluated) and the seconds the evaluation took. */
    private record Evaluated(RoundMetrics metrics, double seconds) {
    }

    /** The run's fixed settings; DP-FedAvg's secure generator, and its refusal when too few clients are expected per round. */
    private Rounds configureRounds(ComputationGraph network, TrainConfig config, TrainingContext ctx, FederatedConfig f, JavaSparkContext jsc,
                                   RoundShards<EncodedShard> shards, HeldOutEvaluation evaluation, List<String> available) {
        String fingerprint = String.format("%s strategy=%s table=%s arch=%s params=%d clients=%d E=%d B=%d rounds=%d seed=%d secure=%s dp=%s",
                REGIME, strategy.name(), config.table(), config.architecture(), network.numParams(), available.size(), f.localEpochs(),
                f.localBatchSize(), f.rounds(), config.seed(), f.secureAggregation(), f.dp())
                + (config.earlyStopping() == null ? "" : " stopping=" + config.earlyStopping());
        int evalEvery = config.evalEvery() > 0 ? config.evalEvery() : 1;
        // DP: noise and client sampling from a secure generator, never from the seed (which is in the provenance)
        privacy = f.dp() != null ? DpFedAvg.secureGenerator() : null;
        ClientSampling sampling = strategy.sampling();
        double q = sampling.fraction();
        if (privacy != null && q * available.size() < sampling.minClients()) {
            throw new UserError(String.format("DP-FedAvg samples each client with probability --client-fraction %s: %.2f of %d clients are expected "
                    + "per round, fewer than --min-clients %d; raise --client-fraction or lower --min-clients", q, q * available.size(),
                    available.size(), sampling.minClients()));
        }
        return new Rounds(config, f, ctx, jsc, shards, evaluation, available, fingerprint, evalEvery, q);
    }

    /**
     * Restores the global parameters, the strategy's state and the privacy spent from the latest checkpoint.
     *
     * @return the checkpoint's round
     */
    private int resume(Rounds run, State state, RoundLog log) {
        FederatedConfig f = run.f();
        Checkpoint c = Checkpoint.latest(run.ctx().checkpointDir(), run.fingerprint(), run.jsc().hadoopConfiguration());
        int start = c.round();
        state.global = c.array("params");
        Map<String, float[]> strategyState = new LinkedHashMap<>(c.arrays());
        strategyState.remove("params");
        if (run.ctx().stopping() != null) {
            run.ctx().stopping().restore(strategyState);
        }
        strategy.restoreState(strategyState);
        if (state.accountant != null) {
            state.accountant.restore(c.accountant());
            state.epsilon = state.accountant.steps() == 0 ? null : state.accountant.epsilon(f.dp().delta());
        }
        log.resumeAfter(start, c.roundLog());
        run.ctx().progress().accept("resumed from the checkpoint of round " + start + "/" + f.rounds());
        return start;
    }

    /**
     * One round: attempts until enough clients complete, aggregate, evaluate when due, checkpoint, log.
     *
     * @return false when training stops here: the privacy budget allows no attempt, the target AUC is reached, or
     *         early stopping ends it
     */
    private boolean runRound(Rounds run, int round, State state, Checkpoint.Writer checkpoints, RoundLog log) {
        FederatedConfig f = run.f();
        long t0 = System.nanoTime();
        Attempt attempt = attemptUntilComplete(run, round, state);
        if (attempt == null) {
            return false;
        }
        Outcome outcome = attempt.outcome();
        aggregate(run, round, outcome, state);
        Evaluated evaluated = evaluateIfDue(run, round, state);
        boolean reached = f.targetAuc() > 0 && evaluated.metrics() != null && evaluated.metrics().auc() >= f.targetAuc();
        EarlyStopping.Tracker stopping = run.ctx().stopping();
        boolean stop = stopping != null && evaluated.metrics() != null && stopping.observe(round, round, evaluated.metrics(), state.global);
        log.stage(new RoundLog.Round(round, round, attempt.number(), outcome.meanLoss(), evaluated.metrics(), outcome.selected(), outcome.completed(),
                outcome.examples(), outcome.bytes(), state.epsilon, f.dp() == null ? null : f.dp().delta(), (System.nanoTime() - t0) / 1e9,
                evaluated.seconds(), outcome.clientRows()));
        checkpointIfDue(run, round, reached, state, checkpoints, log);
        log.release();
        state.roundsRun = round;
        if (reached) {
            run.ctx().progress().accept(String.format("target holdout AUC %.4f reached after %d round(s)", f.targetAuc(), round));
            return false;
        }
        return !stop;
    }

    /**
     * Selects clients and runs the round until an attempt completes at least {@code --min-completion} of them, with
     * fresh client draws for each retry; fails the job when the last retry falls short.
     *
     * @return the attempt that completed, or null when the privacy budget allows no further attempt
     */
    private Attempt attemptUntilComplete(Rounds run, int round, State state) {
        FederatedConfig f = run.f();
        for (int attempt = 1; ; attempt++) {
            if (budgetWouldBeExceeded(run, round, attempt, state)) {
                return null;
            }
            List<String> selected = selectClients(run, round, attempt);
            Outcome outcome = runAttempt(round, attempt, selected, state.global, run.config(), f, run.jsc(), run.shards(),
                    run.evaluation().architecture(), run.evaluation().sha256(), run.q() * run.available().size());
            account(run, state);
            if (outcome.completed() >= Math.ceil(f.minCompletion() * outcome.selected() - 1e-9)) {
                return new Attempt(attempt, outcome);
            }
            run.ctx().progress().accept(String.format("round %d attempt %d: only %d of %d selected clients completed (minimum %.0f %%): %s",
                    round, attempt, outcome.completed(), outcome.selected(), 100 * f.minCompletion(), outcome.failureSummary()));
            if (attempt == f.roundRetries() + 1) {
                throw new UserError(String.format("round %d: only %d of %d selected clients completed (minimum %.0f %%) after %d attempt(s); "
                                + "last failures: %s", round, outcome.completed(), outcome.selected(), 100 * f.minCompletion(), attempt,
                        outcome.failureSummary()));
            }
        }
    }

    /**
     * DP: every attempt runs the sampled Gaussian mechanism once (its result is used or discarded), so every attempt
     * is accounted, and none starts that would take ε past the budget.
     */
    private static boolean budgetWouldBeExceeded(Rounds run, int round, int attempt, State state) {
        FederatedConfig f = run.f();
        if (state.accountant == null || !state.accountant.wouldExceed(run.q(), f.dp().noiseMultiplier(), f.dp().delta(), f.dp().epsilonBudget())) {
            return false;
        }
        run.ctx().progress().accept(String.format("privacy budget: round %d%s would take ε past %.3f (δ %.0e); stopping after %d round(s) at ε %.3f",
                round, attempt > 1 ? " attempt " + attempt : "", f.dp().epsilonBudget(), f.dp().delta(), round - 1,
                state.epsilon == null ? 0.0 : state.epsilon));
        return true;
    }

    /** Poisson sampling from the secure generator under DP; otherwise the strategy's seeded draw, fresh for each retry. */
    private List<String> selectClients(Rounds run, int round, int attempt) {
        long seed = run.config().seed();
        return privacy != null ? ClientSampling.poisson(run.available(), run.q(), privacy)
                : strategy.sampleClients(round, run.available(), attempt == 1 ? seed : ClientSampling.mix(ClientSampling.mix(seed, round), attempt));
    }

    /** DP: the attempt's sampled Gaussian mechanism is spent, whether or not its result is used. */
    private static void account(Rounds run, State state) {
        if (state.accountant != null) {
            state.accountant.step(run.q(), run.f().dp().noiseMultiplier());
            state.epsilon = state.accountant.epsilon(run.f().dp().delta());
        }
    }

    /** The strategy turns the completed clients' updates (and the failures) into the next global parameters. */
    private void aggregate(Rounds run, int round, Outcome outcome, State state) {
        if (!outcome.failures().isEmpty()) {
            run.ctx().progress().accept(String.format("round %d: %d of %d selected clients failed: %s", round, outcome.failures().size(),
                    outcome.selected(), outcome.failureSummary()));
        }
        float[] next = strategy.aggregateFit(round, state.global, outcome.updates(), outcome.failures());
        if (next != null) {
            state.global = next;
        }
    }

    private static Evaluated evaluateIfDue(Rounds run, int round, State state) {
        RoundMetrics metrics = null;
        long e0 = System.nanoTime();
        if (round % run.evalEvery() == 0 || round == run.f().rounds()) {
            metrics = run.evaluation().evaluate(state.global);
            state.lastAuc = metrics.auc();
        }
        return new Evaluated(metrics, (System.nanoTime() - e0) / 1e9);
    }

    /**
     * Checkpoints every {@code --checkpoint-every} rounds, the last round and the round that reached the target. DP:
     * every round's accountant state is on disk before its result is shown or logged, so a resume never forgets
     * privacy that was spent on something released.
     */
    private void checkpointIfDue(Rounds run, int round, boolean reached, State state, Checkpoint.Writer checkpoints, RoundLog log) {
        if (round % run.config().checkpointEvery() == 0 || round == run.f().rounds() || reached || state.accountant != null) {
            Map<String, float[]> arrays = new LinkedHashMap<>();
            arrays.put("params", state.global);
            arrays.putAll(strategy.state());
            if (run.ctx().stopping() != null) {
                arrays.putAll(run.ctx().stopping().state());
            }
            checkpoints.submit(new Checkpoint(round, run.fingerprint(), arrays, state.accountant == null ? null : state.accountant.state(),
                    log.unflushed()));
            if (state.accountant != null) {
                checkpoints.await();
            }
        }
    }

    /** What the model's provenance says of the federated run. */
    private void reportRun(Rounds run, State state) {
        FederatedConfig f = run.f();
        report.put("strategy", strategy.name());
        report.put("rounds_run", state.roundsRun);
        report.put("clients", run.available().size());
        report.put("client_column", f.clientColumn());
        report.put("local_epochs", f.localEpochs());
        report.put("local_batch_size", f.localBatchSize());
        report.put("secure_aggregation", f.secureAggregation());
        if (f.secureAggregation()) {
            report.put("client_keys", f.clientKeys());
            report.put("secure_aggregation_keys", "X25519 key agreement, HKDF-SHA256 pair seeds, AES-256-CTR masks (Bonawitz et al. 2017)");
        }
        report.put(run.ctx().stopping() == null ? "last_round_holdout_auc" : "last_round_validation_auc", state.lastAuc);
        if (f.dp() != null) {
            report.put("differential_privacy", privacyReport(f.dp(), state));
        }
    }

    private Map<String, Object> privacyReport(DpConfig config, State state) {
        Map<String, Object> dp = new LinkedHashMap<>();
        dp.put("mechanism", "DP-FedAvg (McMahan et al. 2018), per-client clipping, Gaussian noise on the sum");
        dp.put("epsilon", state.epsilon);
        dp.put("delta", config.delta());
        dp.put("epsilon_budget", config.epsilonBudget());
        dp.put("noise_multiplier", config.noiseMultiplier());
        dp.put("clip_norm", config.clipNorm());
        dp.put("rounds_accounted", state.accountant.steps());
        dp.put("sampling", "Poisson, q = " + strategy.sampling().fraction());
        dp.put("randomness", "DRBG SecureRandom for noise and sampling, not derived from the seed; not reproducible");
        dp.put("accountant", "RDP of the sampled Gaussian mechanism (Mironov et al. 2019), Balle et al. 2020 conversion");
        return dp;
    }

    /** One attempt at a round: plan, train the selected clients, aggregate on the executors. */
    private Outcome runAttempt(int round, int attempt, List<String> selected, float[] global, TrainConfig config, FederatedConfig f,
                               JavaSparkContext jsc, RoundShards<EncodedShard> shards, Broadcast<byte[]> arch, String sha, double expectedClients) {
        ClientRound cr = configureAttempt(round, attempt, selected, config, f);
        Broadcast<org.apache.spark.util.SerializableConfiguration> hc = hadoopConf;
        Broadcast<float[]> g = jsc.broadcast(global);
        Broadcast<ClientRound> b = jsc.broadcast(cr);
        boolean individual = strategy.needsIndividualUpdates();
        boolean partial = strategy.acceptsPartialWork();
        int n = global.length;
        // what one client's task sends on: its own update (median, trimmed mean), a masked fixed-point sum (secure
        // aggregation) or an exact 128-bit sum
        long perClient = (long) n * (individual ? 4L : f.secureAggregation() ? 8L : 16L);
        try {
            JavaRDD<EncodedShard> clients = shards.of(selected);
            Results r = clients.treeAggregate(new Results(individual ? 0 : n, f.secureAggregation() && !individual, limits), (acc, shard) -> {
                if (!b.value().selected(shard.client())) {
                    return acc;
                }
                ClientKeyStore own = b.value().secureAggregation() ? new ClientKeyStore(b.value().keyStore(), hc.value().value()) : null;
                acc.add(ClientTraining.fit(shard, b.value(), g.value(), arch, sha), b.value(), individual, partial, own);
                return acc;
            }, Results::merge, aggregationDepth(clients.getNumPartitions(), perClient));
            List<SecureAggregation.RevealedSeed> revealed = r.masked == null ? List.of() : unmaskingRound(shards, b, hc, r);
            List<ClientUpdate> updates = individual ? sortedUpdates(r.updates) : aggregateUpdate(r, cr, f, expectedClients, privacy, revealed);
            return attemptOutcome(selected.size(), r, updates, r.completed * perClient, f, individual);
        } finally {
            g.destroy();
            b.destroy();
        }
    }

    /**
     * What the selected clients are asked to do in this attempt: the strategy's fit instructions, with the simulated
     * stragglers and dropouts drawn from (seed, round, attempt), the deadline, and secure aggregation's public keys
     * and fresh masking context.
     */
    private ClientRound configureAttempt(int round, int attempt, List<String> selected, TrainConfig config, FederatedConfig f) {
        long seed = config.seed();
        long roundSeed = ClientSampling.mix(ClientSampling.mix(seed, round), attempt);
        SplittableRandom sim = new SplittableRandom(ClientSampling.mix(roundSeed, 0x5157));
        Map<String, FitInstructions> plan = new LinkedHashMap<>();
        Set<String> dropouts = new HashSet<>();
        FitInstructions defaults = new FitInstructions(f.localEpochs(), f.localBatchSize(), 0, 1);
        for (String c : selected) {
            FitInstructions fit = strategy.configureFit(round, c, defaults);
            double u = sim.nextDouble();
            double w = sim.nextDouble();
            if (u < f.stragglers()) {
                // a straggler manages a uniform 1 … E−1 of its E local epochs (a fraction of one epoch when E = 1)
                double fraction = f.localEpochs() > 1 ? (1 + Math.floor(w * (f.localEpochs() - 1))) / f.localEpochs() : 0.1 + 0.8 * w;
                fit = fit.withWorkFraction(fraction);
            }
            if (sim.nextDouble() < f.clientDropout()) {
                dropouts.add(c);
            }
            plan.put(c, fit);
        }
        long deadline = f.roundTimeoutSeconds() > 0 ? System.currentTimeMillis() + Math.round(f.roundTimeoutSeconds() * 1000) : Long.MAX_VALUE;
        Map<String, byte[]> keys = new java.util.TreeMap<>();
        byte[] context = null;
        if (f.secureAggregation()) {
            for (String c : selected) {
                keys.put(c, publicKeys.get(c));
            }
            byte[] nonce = new byte[16];
            nonces.nextBytes(nonce);
            context = PairwiseKeys.context(runId, round, attempt, nonce);
        }
        return new ClientRound(round, attempt, roundSeed, plan, dropouts, deadline, config.hyper().learningRate(), f.secureAggregation(), f.dp(),
                f.clientKeys(), keys, context);
    }

    /** The attempt as the round and the log see it. */
    private static Outcome attemptOutcome(int selected, Results r, List<ClientUpdate> updates, long bytes, FederatedConfig f, boolean individual) {
        List<ClientFailure> failures = new ArrayList<>(r.failures);
        failures.sort(Comparator.comparing(ClientFailure::clientId));
        List<RoundLog.ClientRow> rows = new ArrayList<>(r.clients);
        rows.sort(Comparator.comparing(RoundLog.ClientRow::clientId));
        // DP releases no loss or example count (neither is noised); secure aggregation only their sums
        long examples = r.examples;
        Double meanLoss = r.examples == 0 ? null : r.lossSum / r.examples;
        if (f.dp() != null) {
            examples = 0;
            meanLoss = null;
        } else if (f.secureAggregation() && !individual) {
            examples = updates.isEmpty() ? 0 : updates.get(0).examples();
            meanLoss = updates.isEmpty() ? null : updates.get(0).trainLoss();
        }
        return new Outcome(selected, r.completed, updates, failures, meanLoss, examples, bytes, rows);
    }

    /**
     * Secure aggregation's unmasking round (Bonawitz et al. 2017, round 4): when selected clients did not deliver,
     * each survivor's own task re-derives and reveals the seeds it shared with them, for this round attempt only.
     */
    private static List<SecureAggregation.RevealedSeed> unmaskingRound(RoundShards<EncodedShard> shards, Broadcast<ClientRound> b,
                                                                        Broadcast<org.apache.spark.util.SerializableConfiguration> hc, Results r) {
        List<String> survivors = r.survivors.stream().sorted().toList();
        List<String> dropped = b.value().participants().stream().filter(c -> !survivors.contains(c)).toList();
        if (dropped.isEmpty() || survivors.isEmpty()) {
            return List.of();
        }
        java.util.Set<String> alive = new HashSet<>(survivors);
        return shards.of(survivors).flatMap(s -> alive.contains(s.client())
                ? ClientMasking.reveal(b.value(), s.client(), dropped, new ClientKeyStore(b.value().keyStore(), hc.value().value())).iterator()
                : java.util.Collections.emptyIterator()).collect();
    }

    /** Results up to this size in all go straight to the driver; beyond it, treeAggregate combines them on executors first. */
    static final long DIRECT_RESULT_BYTES = 64L << 20;

    /**
     * treeAggregate depth for a round: 1 (each selected client's task result goes to the driver) while those results
     * are small in all, which saves the extra shuffle stage a deeper tree adds; 2 for many clients or large models.
     */
    static int aggregationDepth(int tasks, long bytesPerResult) {
        return (long) tasks * bytesPerResult <= DIRECT_RESULT_BYTES ? 1 : 2;
    }

    private static List<ClientUpdate> sortedUpdates(List<ClientUpdate> updates) {
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ClientUpdate::clientId));
        return sorted;
    }

    /**
     * The round's weighted mean delta as one update (what a weighted-mean strategy computes from the parts). Secure
     * aggregation: masks of clients that were selected but did not deliver are removed first (Bonawitz et al.'s
     * recovery step), then the sum is decoded. DP-FedAvg: Gaussian noise on the sum of clipped deltas, divided by
     * the expected number of clients. Package-private so tests can follow a round's deltas through the path
     * rounds take ({@link Results#add} in the clients' tasks, {@link Results#merge}, then this) without Spark.
     */
    static List<ClientUpdate> aggregateUpdate(Results r, ClientRound round, FederatedConfig f, double expectedClients,
                                              java.security.SecureRandom noise, List<SecureAggregation.RevealedSeed> revealed) {
        if (r.completed == 0 && f.dp() == null) {
            return List.of();
        }
        // DP: a round where no sampled client delivered still releases noise (the mechanism the accountant assumes)
        int n = r.masked != null ? r.masked.length - 2 : r.sum.length();
        long examples = r.examples;
        double lossSum = r.lossSum;
        double[] sum;
        float[] mean;
        String label;
        if (r.masked != null) {
            List<String> survivors = r.survivors.stream().sorted().toList();
            List<String> dropped = round.participants().stream().filter(c -> !survivors.contains(c)).toList();
            long[] unmasked = survivors.isEmpty() ? r.masked : SecureAggregation.removeDropoutMasks(r.masked, survivors, dropped, revealed);
            double weight = SecureAggregation.decode(unmasked[n]);
            if (f.dp() == null) {
                examples = Math.round(weight);
                lossSum = SecureAggregation.decode(unmasked[n + 1]);
            }
            float[] decoded = SecureAggregation.decodeMean(java.util.Arrays.copyOf(unmasked, n), f.dp() != null ? 1.0 : weight);
            sum = new double[decoded.length];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = decoded[i];
            }
            mean = decoded;
            label = "secure aggregate of " + survivors.size() + " clients";
        } else {
            sum = f.dp() != null ? (r.completed == 0 ? new double[n] : r.sum.values()) : null;
            mean = f.dp() != null ? null : r.sum.divideBy(r.sum.weight());
            label = "aggregate of " + r.completed + " clients";
        }
        if (f.dp() != null) {
            mean = DpFedAvg.noisyMean(sum, f.dp().noiseMultiplier(), f.dp().clipNorm(), expectedClients, noise);
            label = "DP " + label;
        }
        // one aggregate: its weight only has to be > 0 for the strategy's weighted mean of one update
        return List.of(new ClientUpdate(label, mean, Math.max(1, examples), examples == 0 ? Double.NaN : lossSum / examples, 0));
    }

    private record Outcome(int selected, int completed, List<ClientUpdate> updates, List<ClientFailure> failures, Double meanLoss,
                           long examples, long bytes, List<RoundLog.ClientRow> clientRows) {
        String failureSummary() {
            return failures.isEmpty() ? "none" : failures.stream().limit(5).map(x -> x.clientId() + ": " + x.reason())
                    .reduce((a, c) -> a + "; " + c).orElse("") + (failures.size() > 5 ? "; …" : "");
        }
    }

    /**
     * treeAggregate's accumulator over the clients of a round. Plain: an exact sum of the weighted deltas. Secure
     * aggregation: the wraparound sum of pairwise-masked, fixed-point encoded deltas — each client's task masks its
     * own update before it leaves the task, so nothing downstream sees an unmasked update. Median and trimmed mean:
     * the individual updates.
     */
    static final class Results implements Serializable {
        private static final long serialVersionUID = 1L;
        final ExactSum sum;
        /** Secure aggregation: Σ masked encodings of (w·Δ, w, w·loss), n + 2 values. */
        long[] masked;
        final List<String> survivors = new ArrayList<>();
        final List<ClientUpdate> updates = new ArrayList<>();
        final List<ClientFailure> failures = new ArrayList<>();
        final List<RoundLog.ClientRow> clients = new ArrayList<>();
        int completed;
        long examples;
        double lossSum;

        final ClientLimits limits;

        Results(int n, boolean secure, ClientLimits limits) {
            this.limits = limits;
            this.sum = new ExactSum(secure ? 0 : n);
            this.masked = secure ? new long[n + 2] : null;
        }

        /** @param keys the client's own key store, opened in its task (secure aggregation), else null */
        void add(ClientTraining.Result r, ClientRound round, boolean individual, boolean acceptPartial, ClientKeyStore keys) {
            ClientUpdate u = r.update();
            String failure = r.failure();
            if (failure == null && r.partial() && !acceptPartial) {
                failure = r.partialReason() + "; dropped by the strategy (no partial work)";
            }
            if (failure == null) {
                failure = limits.reject(u.delta()); // in the client's task, before the update can reach the sum
            }
            // DP or secure aggregation: nothing about one client but whether it delivered leaves its task — no loss,
            // example count, step count, or failure detail that depends on its data
            boolean hidden = round.secureAggregation() || round.dp() != null;
            if (failure != null) {
                failures.add(new ClientFailure(r.clientId(), hidden ? ClientRound.failureKind(failure) : failure));
                if (!hidden) {
                    clients.add(new RoundLog.ClientRow(r.clientId(), 0, u == null ? null : u.trainLoss(), r.steps(), "failed: " + failure));
                }
                return;
            }
            completed++;
            if (!hidden) {
                examples += u.examples();
                lossSum += u.trainLoss() * u.examples();
                clients.add(new RoundLog.ClientRow(r.clientId(), u.examples(), u.trainLoss(), u.localSteps(), r.partial() ? "partial" : "ok"));
            }
            // DP-FedAvg: clipped deltas, equal weights (the sensitivity the accountant assumes); otherwise example-weighted
            float[] delta = round.dp() == null ? u.delta() : DpFedAvg.clip(u.delta(), round.dp().clipNorm());
            double weight = round.dp() == null ? u.examples() : 1.0;
            if (individual) {
                updates.add(u);
            } else if (masked != null) {
                // the weight and the weighted loss ride in the masked vector too, so only their sums are revealed; DP
                // releases no loss at all
                float[] withTotals = java.util.Arrays.copyOf(delta, delta.length + 2);
                withTotals[delta.length] = 1f;
                withTotals[delta.length + 1] = round.dp() == null ? (float) u.trainLoss() : 0f;
                long[] mine = SecureAggregation.mask(SecureAggregation.encode(withTotals, weight), r.clientId(), round.participants(),
                        ClientMasking.pairSeeds(round, r.clientId(), keys));
                masked = SecureAggregation.sum(masked, mine);
                survivors.add(r.clientId());
            } else {
                sum.add(delta, weight, weight);
            }
        }

        Results merge(Results o) {
            if (sum.length() > 0) {
                sum.merge(o.sum);
            }
            if (masked != null) {
                masked = SecureAggregation.sum(masked, o.masked);
                survivors.addAll(o.survivors);
            }
            updates.addAll(o.updates);
            failures.addAll(o.failures);
            clients.addAll(o.clients);
            completed += o.completed;
            examples += o.examples;
            lossSum += o.lossSum;
            return this;
        }
    }
}
