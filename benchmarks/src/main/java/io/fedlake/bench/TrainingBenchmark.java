package io.fedlake.bench;

import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.lake.SparkSessions;
import io.fedlake.train.Dl4jParameterAveragingTrainer;
import io.fedlake.train.ParameterAveragingTrainer;
import io.fedlake.train.RoundLog;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingJob;
import io.fedlake.train.federated.FederatedConfig;
import io.fedlake.train.federated.FederatedTrainer;
import io.fedlake.train.federated.Strategies;
import io.fedlake.train.federated.StrategyConfig;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelHyperParams;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Training benchmarks, each measured side by side in one run on the same synthetic credit data and machine
 * (not a test; run {@code benchmarks/training.sh}):
 * <ol>
 *   <li>{@code speed}: time to reach a held-out AUC target — from the start of the regime, data preparation and
 *       per-epoch evaluation included — for {@code paramavg} and {@code fedavg} vs {@code dl4j-paramavg}, same
 *       model, batch size and averaging frequency; and {@code paramavg} training examples/s vs the same
 *       minibatches fitted in one process without Spark ({@link SingleProcessTrainer}). {@code fedavg} runs with every
 *       branch in every round (C = 1) and with a quarter of them (C = 0.25); the timed regimes run in interleaved
 *       repetitions and their medians are compared.</li>
 *   <li>{@code fedsgd}: FedAvg (E = 5, B = 10) vs FedSGD (E = 1, full batch) rounds to a target AUC on IID and on
 *       label-skewed clients, in the spirit of McMahan et al. 2017, Table 2 (SGD local optimiser, C = 0.25 of 20
 *       clients per round).</li>
 *   <li>{@code fedprox}: FedProx vs FedAvg on label-skewed clients where half of the selected clients straggle
 *       (Li et al. 2020, §5.2: FedAvg drops them, FedProx keeps their partial work).</li>
 * </ol>
 * Per-round figures come from {@code training.rounds}; the summary prints the ratios.
 */
public final class TrainingBenchmark {

    private final Lake lake;
    private final List<String> report = new ArrayList<>();

    private TrainingBenchmark(Lake lake) {
        this.lake = lake;
    }

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 50_000L;
        String root = args.length > 1 ? args[1] : "benchmarks/lake-training";
        double target = args.length > 2 ? Double.parseDouble(args[2]) : 0.80;
        String parts = args.length > 3 ? args[3] : "speed,fedsgd,fedprox";
        SparkSession spark = SparkSessions.create("fedlake training benchmark", System.getProperty("spark.master", "local[2]"), Map.of());
        Lake lake = new Lake(spark, root);
        if (!lake.exists("raw.credit") || lake.readLatest("raw.credit", "").data().count() != rows) {
            SyntheticData.generate(lake, Domain.CREDIT, rows, SyntheticData.defaultPartitions(Domain.CREDIT, rows, 2), 42, "bench");
        }
        TrainingBenchmark b = new TrainingBenchmark(lake);
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        if (parts.contains("speed")) {
            b.speed(rows, target, stamp);
        }
        if (parts.contains("fedsgd")) {
            b.fedsgd(stamp);
        }
        if (parts.contains("fedprox")) {
            b.fedprox(stamp);
        }
        System.out.println();
        System.out.println("=== summary (" + spark.sparkContext().master() + ", " + Runtime.getRuntime().availableProcessors() + " cores) ===");
        b.report.forEach(System.out::println);
        spark.stop();
    }

    private void speed(long rows, double target, String stamp) {
        int epochs = 5;
        int batch = 64;
        int k = 16;
        ModelHyperParams hyper = ModelHyperParams.creditDefaults(3);
        TrainConfig base = new TrainConfig("raw.credit", "credit-mlp", hyper, Domain.CREDIT.dataSpec(), epochs, batch, k, 2, 2, 0.2, 3);
        // the compute bound: one process, ND4J with both cores first (before the Spark regimes pin ND4J to one thread per
        // task), one epoch; then with one thread (often faster for a small network) for all epochs; the faster is the bound
        TrainConfig oneEpoch = new TrainConfig("raw.credit", "credit-mlp", hyper, Domain.CREDIT.dataSpec(), 1, batch, k, 2, 2, 0.2, 3);
        Run single2 = run("single-process, 2 ND4J threads", oneEpoch, new SingleProcessTrainer(2), stamp);
        io.fedlake.train.LocalFit.taskThreads();
        Run single = run("single-process, 1 ND4J thread", base, new SingleProcessTrainer(1), stamp);
        // fedavg, E = 1, B = the same 64, the same data budget as paramavg's epochs: every branch in every round (C = 1)
        // for `epochs` rounds, and a quarter of the branches per round (C = 0.25, as in the fedsgd and fedprox parts and
        // the range McMahan et al. 2017 use) for 4 × `epochs` rounds; neither stops at the target, so every AUC target
        // below is read from the same runs
        TrainConfig fedAll = federatedSpeed(hyper, batch, k, epochs);
        // paramavg is evaluated at the same granularity as fedavg with C = 0.25: every quarter pass over the data (its
        // averaging steps per epoch: 80 % of the rows over 2 workers, in minibatches of `batch`, k per step). dl4j-paramavg
        // only returns a model at the end of each epoch, so it is evaluated per epoch.
        int stepsPerEpoch = (int) Math.ceil(Math.ceil(rows * 0.8 / 2 / batch) / k);
        TrainConfig ownConfig = new TrainConfig("raw.credit", "credit-mlp", hyper, Domain.CREDIT.dataSpec(), epochs, batch, k, 2, 2, 0.2, 3,
                Math.max(1, Math.round(stepsPerEpoch / 4f)), 1, null);
        TrainConfig fedQuarter = federatedSpeed(hyper, batch, k, 4 * epochs);
        // warm-up, not measured: one epoch (one round) of each Spark regime first, so whichever regime is timed first does not
        // pay alone for class loading, JIT compilation and Spark's and Delta's first-use costs
        run("warm-up dl4j-paramavg", oneEpoch, new Dl4jParameterAveragingTrainer(), stamp);
        run("warm-up paramavg", oneEpoch, new ParameterAveragingTrainer(), stamp);
        run("warm-up fedavg", federatedSpeed(hyper, batch, k, 1), new FederatedTrainer(Strategies.create("fedavg")), stamp);
        // the timed regimes in interleaved repetitions (-Dfedlake.bench.rounds, default 3); medians are compared, so one
        // noisy run on this shared 2-core machine does not decide a ratio
        List<Run> dl4jRuns = new ArrayList<>();
        List<Run> ownRuns = new ArrayList<>();
        List<Run> fedRuns = new ArrayList<>();
        List<Run> sampledRuns = new ArrayList<>();
        for (int rep = 1; rep <= REPETITIONS; rep++) {
            String r = REPETITIONS == 1 ? "" : " #" + rep;
            dl4jRuns.add(run("dl4j-paramavg" + r, base, new Dl4jParameterAveragingTrainer(), stamp));
            ownRuns.add(run("paramavg" + r, ownConfig, new ParameterAveragingTrainer(), stamp));
            fedRuns.add(run("fedavg (24 branches, C=1, E=1, B=64)" + r, fedAll, new FederatedTrainer(Strategies.create("fedavg")), stamp));
            sampledRuns.add(run("fedavg (24 branches, C=0.25, E=1, B=64)" + r, fedQuarter,
                    new FederatedTrainer(Strategies.create(StrategyConfig.defaults("fedavg").withSampling(0.25, 2))), stamp));
        }
        Run dl4j = Run.median(dl4jRuns);
        Run own = Run.median(ownRuns);
        Run fedavg = Run.median(fedRuns);
        Run sampled = Run.median(sampledRuns);
        List<String> perRepetition = new ArrayList<>();
        if (REPETITIONS > 1) {
            for (double t : java.util.stream.DoubleStream.of(target, 0.82, 0.83).distinct().sorted().toArray()) {
                perRepetition.add(String.format("  each repetition, seconds to AUC %.2f: dl4j-paramavg %s, paramavg %s, fedavg C=1 %s, fedavg C=0.25 %s", t,
                        Run.times(dl4jRuns, t), Run.times(ownRuns, t), Run.times(fedRuns, t), Run.times(sampledRuns, t)));
            }
        }

        report.add(String.format("speed: credit-mlp, %,d training rows, batch %d, averaging every %d minibatches, 2 workers; target holdout AUC %.3f; "
                + "medians of %d interleaved repetitions", ownRuns.get(0).examples / epochs, batch, k, target, REPETITIONS));
        for (Run r : List.of(single2, single, dl4j, own, fedavg, sampled)) {
            report.add(String.format("  %-40s final AUC %.4f  time to target %s  total %.1f s  train examples/s %s", r.name, r.finalAuc,
                    r.secondsTo(target) == null ? "not reached" : String.format("%.1f s", r.secondsTo(target)), r.totalSeconds,
                    r.examplesPerSecond() == null ? "n/a" : String.format("%,.0f", r.examplesPerSecond())));
        }
        // the ratio depends on the AUC chosen, so it is printed for the requested target and for two stricter ones
        for (double t : java.util.stream.DoubleStream.of(target, 0.82, 0.83).distinct().sorted().toArray()) {
            Double d = dl4j.secondsTo(t);
            report.add(String.format("  AUC %.2f: dl4j-paramavg %s, paramavg %s, fedavg C=1 %s, fedavg C=0.25 %s → ratio dl4j-paramavg / paramavg = %s, "
                            + "/ fedavg C=1 = %s, / fedavg C=0.25 = %s (target ≥ 3)", t, seconds(d), seconds(own.secondsTo(t)), seconds(fedavg.secondsTo(t)),
                    seconds(sampled.secondsTo(t)), ratio(d, own.secondsTo(t)), ratio(d, fedavg.secondsTo(t)), ratio(d, sampled.secondsTo(t))));
        }
        Double bound = java.util.stream.Stream.of(single.examplesPerSecond(), single2.examplesPerSecond()).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null);
        report.add(String.format("  ratio examples/s paramavg / single-process    = %s (target ≥ 0.7; the faster single-process run is the bound)",
                ratio(own.examplesPerSecond(), bound)));
        report.addAll(perRepetition);
    }

    private static TrainConfig federatedSpeed(ModelHyperParams hyper, int batch, int k, int rounds) {
        FederatedConfig f = new FederatedConfig("branch_id", rounds, 1, batch, 0.5, 0, 0, 0, 0, 0, false, null);
        return new TrainConfig("raw.credit", "credit-mlp", hyper, Domain.CREDIT.dataSpec(), 1, batch, k, 2, 0, 0.2, 3, 0, 1, f);
    }

    private void fedsgd(String stamp) {
        Dataset<Row> credit = lake.readLatest("raw.credit", "").data().limit(20_000);
        write(Partitioners.iid(credit, "application_id", 20, 5), "bench.credit_iid");
        write(Partitioners.labelSkewed(credit, "application_id", "defaulted_12m", 20, 5), "bench.credit_skewed");
        double target = 0.78;
        report.add(String.format("fedsgd: 20,000 credit rows (16,000 train) over 20 clients, C = 0.25, SGD; rounds to holdout AUC %.2f", target));
        for (String table : List.of("bench.credit_iid", "bench.credit_skewed")) {
            Run avg = federated("FedAvg E=5 B=10 " + table, table, "fedavg", 60, 5, 10, 0.05, 0, target, 0, stamp);
            Run sgd = federated("FedSGD E=1 B=full " + table, table, "fedavg", 300, 1, 0, 1.0, 0, target, 0, stamp);
            Integer ra = avg.roundsTo(target);
            Integer rs = sgd.roundsTo(target);
            report.add(String.format("  %-15s FedAvg %s rounds (final AUC %.4f), FedSGD %s rounds (final AUC %.4f): %s× fewer rounds", table,
                    ra == null ? "not reached in 60" : ra, avg.finalAuc, rs == null ? "not reached in 300" : rs, sgd.finalAuc,
                    ra == null || rs == null ? "n/a" : String.format("%.1f", (double) rs / ra)));
        }
    }

    private void fedprox(String stamp) {
        double target = 0.78;
        report.add("fedprox: label-skewed clients, 50 % stragglers per round, E=5 B=10 C=0.25, 30 rounds, SGD lr 0.05");
        Run avg = federated("FedAvg (drops stragglers)", "bench.credit_skewed", "fedavg", 30, 5, 10, 0.05, 0.5, 0, 0, stamp);
        Run prox = federated("FedProx mu=0.1 (keeps partial work)", "bench.credit_skewed", "fedprox", 30, 5, 10, 0.05, 0.5, 0, 0.1, stamp);
        Run prox1 = federated("FedProx mu=1 (keeps partial work)", "bench.credit_skewed", "fedprox", 30, 5, 10, 0.05, 0.5, 0, 1.0, stamp);
        for (Run r : List.of(avg, prox, prox1)) {
            report.add(String.format("  %-36s rounds to AUC %.2f: %s  final AUC %.4f  last 10 rounds: mean AUC %.4f, standard deviation %.4f", r.name,
                    target, r.roundsTo(target) == null ? "not reached" : r.roundsTo(target), r.finalAuc, r.meanLastAuc(10), r.stdLastAuc(10)));
        }
    }

    private Run federated(String name, String table, String strategy, int rounds, int e, int b, double lr, double stragglers, double stopAt,
                          double mu, String stamp) {
        ModelHyperParams hyper = new ModelHyperParams(List.of(64, 32), 0.0, lr, 1e-5, 9, "sgd");
        FederatedConfig f = new FederatedConfig(Partitioners.CLIENT_ID, rounds, e, b, 0.2, 2, 0, 0, stragglers, stopAt, false, null);
        TrainConfig config = new TrainConfig(table, "credit-mlp", hyper, Domain.CREDIT.dataSpec(), 1, 64, 1, 0, 0, 0.2, 9, 0, 1000, f);
        StrategyConfig sc = StrategyConfig.defaults(strategy).withSampling(0.25, 1);
        if ("fedprox".equals(strategy)) {
            sc = sc.withProximalMu(mu);
        }
        return run(name, config, new FederatedTrainer(Strategies.create(sc)), stamp);
    }

    private void write(Dataset<Row> d, String table) {
        d.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(lake.pathOf(table));
    }

    /** {@code -Dfedlake.bench.rounds=N}: interleaved repetitions of the timed regimes in the speed part (default 3). */
    private static final int REPETITIONS = Math.max(1, Integer.getInteger("fedlake.bench.rounds", 3));

    /** {@code -Dfedlake.bench.skip=dl4j-paramavg,fedavg,...}: regimes (by trainer regime name) to leave out while profiling one. */
    private static final List<String> SKIP = List.of(System.getProperty("fedlake.bench.skip", "").split(","));

    private Run run(String name, TrainConfig config, Trainer trainer, String stamp) {
        if (SKIP.contains(trainer.regime())) {
            return new Run(name + " (skipped)", Double.NaN, List.of(), 0);
        }
        String runId = "bench-" + stamp + "-" + name.replaceAll("[^A-Za-z0-9]+", "-");
        System.out.println("--- " + name + " (run " + runId + ")");
        TrainingJob.Outcome o = TrainingJob.run(lake, config, trainer, "bench-" + trainer.regime(), runId, line -> System.out.println("  " + line));
        List<Row> rounds = lake.spark().read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo(runId))
                .orderBy("round").select("round", "holdout_auc", "elapsed_seconds", "round_seconds", "eval_seconds", "examples").collectAsList();
        return new Run(name, o.holdout().auc(), rounds, o.trainSeconds());
    }

    private static String seconds(Double s) {
        return s == null ? "not reached" : String.format("%.1f s", s);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "n/a" : String.format("%.2f", a / b);
    }

    /** One regime's per-round log. */
    private static class Run {
        final String name;
        final double finalAuc;
        final List<Row> rounds;
        final double totalSeconds;
        final long examples;

        Run(String name, double finalAuc, List<Row> rounds, double totalSeconds) {
            this.name = name;
            this.finalAuc = finalAuc;
            this.rounds = rounds;
            this.totalSeconds = totalSeconds;
            this.examples = rounds.stream().mapToLong(r -> r.getLong(5)).sum();
        }

        /**
         * The median of repeated runs of one regime: its time to any target is the median of the repetitions' times
         * (not reached if any repetition missed it), and so are its final AUC, total time and examples/s.
         */
        static Run median(List<Run> runs) {
            if (runs.size() == 1) {
                return runs.get(0);
            }
            String name = runs.get(0).name.replaceAll(" #\\d+$", "") + " (median of " + runs.size() + ")";
            return new Run(name, med(runs.stream().map(r -> r.finalAuc).toList()), List.of(), med(runs.stream().map(r -> r.totalSeconds).toList())) {
                @Override
                Double secondsTo(double target) {
                    List<Double> times = runs.stream().map(r -> r.secondsTo(target)).toList();
                    return times.contains(null) ? null : med(times);
                }

                @Override
                Integer roundsTo(double target) {
                    throw new UnsupportedOperationException("rounds to target are read from single runs");
                }

                @Override
                Double examplesPerSecond() {
                    List<Double> rates = runs.stream().map(Run::examplesPerSecond).toList();
                    return rates.contains(null) ? null : med(rates);
                }
            };
        }

        static String times(List<Run> runs, double target) {
            return runs.stream().map(r -> seconds(r.secondsTo(target))).toList().toString();
        }

        private static double med(List<Double> values) {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        Double secondsTo(double target) {
            return rounds.stream().filter(r -> !r.isNullAt(1) && r.getDouble(1) >= target).findFirst().map(r -> r.getDouble(2)).orElse(null);
        }

        Integer roundsTo(double target) {
            return rounds.stream().filter(r -> !r.isNullAt(1) && r.getDouble(1) >= target).findFirst().map(r -> r.getInt(0)).orElse(null);
        }

        /** Examples per second of training time (round time minus evaluation), when the regime logs examples. */
        Double examplesPerSecond() {
            double seconds = rounds.stream().mapToDouble(r -> r.getDouble(3) - r.getDouble(4)).sum();
            return examples == 0 || seconds == 0 ? null : examples / seconds;
        }

        double stdLastAuc(int n) {
            double mean = meanLastAuc(n);
            return Math.sqrt(rounds.stream().skip(Math.max(0, rounds.size() - n)).filter(r -> !r.isNullAt(1))
                    .mapToDouble(r -> (r.getDouble(1) - mean) * (r.getDouble(1) - mean)).average().orElse(Double.NaN));
        }

        double meanLastAuc(int n) {
            return rounds.stream().skip(Math.max(0, rounds.size() - n)).filter(r -> !r.isNullAt(1)).mapToDouble(r -> r.getDouble(1)).average()
                    .orElse(Double.NaN);
        }
    }
}
