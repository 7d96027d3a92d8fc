package io.fedlake.cli;

import io.fedlake.preset.Domain;
import io.fedlake.lake.TableRoles;
import io.fedlake.train.Dl4jParameterAveragingTrainer;
import io.fedlake.train.LabelClasses;
import io.fedlake.train.RegimeArguments;
import io.fedlake.train.RegimeFactory;
import io.fedlake.train.RegimeSettings;
import io.fedlake.train.Regimes;
import io.fedlake.train.federated.Strategies;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.CreditMlp;
import io.fedlake.zoo.DefectFusion;
import io.fedlake.zoo.ImagingFusion;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.ModelSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training options shared by {@code train} and {@code pipeline}. {@code --domain} picks a preset (columns,
 * outputs, architecture and hyper-parameter defaults); every column option overrides the preset for a user's
 * own table.
 */
public final class TrainOptions implements RegimeArguments {

    /**
     * The regimes that read each regime-specific option, from the registered regimes' {@link RegimeFactory#options()};
     * an option no regime lists applies to every regime. Giving a listed option with another regime is a usage
     * error: an option that silently does nothing — above all a privacy option — is worse than a refusal.
     */
    static final Map<String, List<String>> REGIMES_OF = regimesOf();

    /** Options that only one federated strategy reads, from the registered strategies. */
    static final Map<String, String> STRATEGY_OF = strategyOf();

    private static Map<String, List<String>> regimesOf() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (RegimeFactory f : Regimes.all()) {
            for (String o : f.options()) {
                m.computeIfAbsent(o, k -> new ArrayList<>()).add(f.name());
            }
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, String> strategyOf() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : Strategies.names()) {
            Strategies.factory(s).options().forEach(o -> m.put(o, s));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The command this mixin belongs to ({@code train} or {@code pipeline}), for what the user actually typed. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--domain", defaultValue = "credit", description = "Preset: credit, imaging or defect. Default: ${DEFAULT-VALUE}")
    String domainName;

    @Option(names = "--regime", defaultValue = Dl4jParameterAveragingTrainer.REGIME, description = "Training regime: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}",
            completionCandidates = RegimeNames.class)
    String regime;

    @Option(names = "--model", description = "Architecture from the model zoo: ${COMPLETION-CANDIDATES}. Default: credit-mlp, imaging-fusion or defect-fusion by domain",
            completionCandidates = ArchitectureNames.class)
    String architecture;

    @Option(names = "--name", description = "Registered model name. Default: the architecture's name")
    String name;

    /** Epochs without early stopping, when {@code --epochs} is not given. */
    static final int DEFAULT_EPOCHS = 3;

    @Option(names = "--epochs", description = "Passes over the training split. Default: train with early stopping sizes it to the table "
            + "(⌈40,000 / training rows⌉, 3 to 50) and stops when the validation metric stops improving; otherwise 3")
    Integer epochs;

    @Option(names = "--batch-size", description = "Examples per minibatch per worker. Default: train sizes it to the table (about 50 per epoch, "
            + "16 to 64 tabular, 16 to 32 images); otherwise 64 tabular, 32 images")
    Integer batchSize;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "Minibatches between parameter averages. Default: ${DEFAULT-VALUE}")
    int averagingFrequency;

    @Option(names = "--prefetch", defaultValue = "2", description = "Minibatches prefetched per worker. Default: ${DEFAULT-VALUE}")
    int prefetch;

    @Option(names = "--storage-level", defaultValue = "MEMORY_ONLY_SER", description = "dl4j-paramavg: storage level of the minibatch RDD. Default: ${DEFAULT-VALUE}")
    String storageLevel;

    @Option(names = "--repartition", defaultValue = "Always", description = "dl4j-paramavg: Always, Never or NumPartitionsWorkersDiffers. Default: ${DEFAULT-VALUE}")
    String repartition;

    @Option(names = "--workers", defaultValue = "0", description = "Parallel workers; 0 = Spark default parallelism. Default: ${DEFAULT-VALUE}")
    int workers;

    @Option(names = "--holdout", defaultValue = "0.2", description = "Fraction held out for evaluation. Default: ${DEFAULT-VALUE}")
    double holdout;

    @Option(names = "--hidden", split = ",", description = "Hidden layer widths. Default: 64,32 tabular, 64 images")
    List<Integer> hidden;

    @Option(names = "--dropout", description = "Dropout probability. Default: 0.1 tabular, 0.2 images")
    Double dropout;

    @Option(names = "--learning-rate", description = "Adam learning rate. Default: 0.005 tabular, 0.002 images")
    Double learningRate;

    @Option(names = "--updater", defaultValue = "adam", description = "Optimiser: adam, nesterovs, rmsprop or sgd. Default: ${DEFAULT-VALUE}")
    String updater;

    @Option(names = "--l2", defaultValue = "0.00001", description = "L2 weight penalty. Default: ${DEFAULT-VALUE}")
    double l2;

    @Option(names = "--label", description = "Label column. Default: the one ingest recorded with --table's table, else the preset's. "
            + "With --table and no --numeric/--categorical, every other column except key, client and ingest's metadata is a feature")
    String label;

    @Option(names = "--task", defaultValue = "binary", description = "binary (0/1, true/false, or two values with --positive), multiclass "
            + "(a softmax over the label's values) or regression (a numeric label; RMSE, MAE, R²). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--positive", paramLabel = "VALUE", description = "The positive class of a binary label with two values other than 0/1, e.g. --positive Bad")
    String positive;

    @Option(names = "--key", description = "Entity key column. Default: the one ingest recorded with --table's table, else the preset's")
    String key;

    @Option(names = "--image", paramLabel = "COLUMN", description = "Image column (encoded bytes). Default: the one ingest recorded, else the table's one binary column")
    String image;

    @Option(names = "--numeric", split = ",", description = "Numeric feature columns. Default: the preset's")
    List<String> numeric;

    @Option(names = "--categorical", split = ",", description = "Categorical feature columns. Default: the preset's")
    List<String> categorical;

    @Option(names = "--eval-every", defaultValue = "0", description = "paramavg/fedavg: evaluate on the holdout every N rounds (0 = every epoch for paramavg, every round for fedavg)")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "1", description = "paramavg/fedavg: checkpoint every N rounds. Default: ${DEFAULT-VALUE}")
    int checkpointEvery;

    @Option(names = "--client-column", description = "fedavg: column whose values are the clients. Default: the preset's (branch_id, hospital_id, plant_id)")
    String clientColumn;

    @Option(names = "--rounds", defaultValue = "20", description = "fedavg: communication rounds. Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--local-epochs", defaultValue = "1", description = "fedavg: local epochs E per round. Default: ${DEFAULT-VALUE}")
    int localEpochs;

    @Option(names = "--local-batch", defaultValue = "32", description = "fedavg: local minibatch B; 0 = full batch (FedSGD). Default: ${DEFAULT-VALUE}")
    int localBatch;

    @Option(names = "--strategy", defaultValue = "fedavg", description = "fedavg: aggregation strategy: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}",
            completionCandidates = StrategyNames.class)
    String strategy;

    @Option(names = "--client-fraction", defaultValue = "1.0", description = "fedavg: fraction C of clients sampled per round. Default: ${DEFAULT-VALUE}")
    double clientFraction;

    @Option(names = "--min-clients", defaultValue = "1", description = "fedavg: minimum clients sampled per round. Default: ${DEFAULT-VALUE}")
    int minClients;

    @Option(names = "--server-lr", description = "fedavg: server learning rate. Default: 1.0, 0.01 for fedadam")
    Double serverLr;

    @Option(names = "--min-completion", defaultValue = "0.5", description = "fedavg: share of selected clients that must complete a round. Default: ${DEFAULT-VALUE}")
    double minCompletion;

    @Option(names = "--max-update-norm", defaultValue = "1000", description = "fedavg: a client whose update has a larger L2 norm (or any NaN/inf) fails the round. Default: ${DEFAULT-VALUE}")
    double maxUpdateNorm;

    @Option(names = "--max-clients", defaultValue = "10000", description = "fedavg: most distinct --client-column values accepted. Default: ${DEFAULT-VALUE}")
    int maxClients;

    @Option(names = "--round-retries", defaultValue = "2", description = "fedavg: retries of a round below the minimum completion. Default: ${DEFAULT-VALUE}")
    int roundRetries;

    @Option(names = "--round-timeout", defaultValue = "0", description = "fedavg: seconds before a client stops training (0 = none). Default: ${DEFAULT-VALUE}")
    double roundTimeout;

    @Option(names = "--client-dropout", defaultValue = "0", description = "fedavg, simulation: probability a selected client drops out. Default: ${DEFAULT-VALUE}")
    double clientDropout;

    @Option(names = "--stragglers", defaultValue = "0", description = "fedavg, simulation: fraction of clients finishing only part of their epochs. Default: ${DEFAULT-VALUE}")
    double stragglers;

    @Option(names = "--target-auc", defaultValue = "0", description = "fedavg: stop when the holdout AUC reaches this (0 = run all rounds); "
            + "evaluates every round on the holdout, so train's early stopping is off")
    double targetAuc;

    @Option(names = "--secure-aggregation", description = "fedavg: pairwise-masked updates; the server only sees their sum")
    boolean secureAggregation;

    @Option(names = "--client-keys", paramLabel = "URI", description = "fedavg --secure-aggregation: per-client key store, one folder per client "
            + "with its X25519 key pair (x25519.key, x25519.pub), created by the client's own task on first use; any Hadoop URI")
    String clientKeys;

    @Option(names = "--server-momentum", defaultValue = "0.9", description = "fedavgm: server momentum. Default: ${DEFAULT-VALUE}")
    double serverMomentum;

    @Option(names = "--mu", defaultValue = "0.01", description = "fedprox: proximal coefficient μ. Default: ${DEFAULT-VALUE}")
    double mu;

    @Option(names = "--trim", defaultValue = "0.1", description = "trimmed-mean: fraction trimmed from each side. Default: ${DEFAULT-VALUE}")
    double trim;

    @Option(names = "--dp-noise", description = "fedavg: DP-FedAvg noise multiplier z (enables differential privacy)")
    Double dpNoise;

    @Option(names = "--dp-clip", defaultValue = "1.0", description = "DP-FedAvg: per-client update L2 clip norm C. Default: ${DEFAULT-VALUE}")
    double dpClip;

    @Option(names = "--dp-delta", defaultValue = "1e-5", description = "DP-FedAvg: δ. Default: ${DEFAULT-VALUE}")
    double dpDelta;

    @Option(names = "--dp-epsilon", defaultValue = "10", description = "DP-FedAvg: ε budget; training stops before exceeding it. Default: ${DEFAULT-VALUE}")
    double dpEpsilon;

    Domain domain() {
        return Domain.parse(domainName);
    }

    String architecture() {
        if (architecture != null) {
            return architecture;
        }
        if (inferred != null && inferred.imageColumn() != null) {
            return inferred.numeric().isEmpty() && inferred.categorical().isEmpty() ? "lenet" : ImagingFusion.NAME;
        }
        if (inferred != null) {
            return CreditMlp.NAME;
        }
        return switch (domain()) {
            case CREDIT -> CreditMlp.NAME;
            case IMAGING -> ImagingFusion.NAME;
            case DEFECT -> DefectFusion.NAME;
        };
    }

    DataSpec spec() {
        DataSpec preset = domain().dataSpec();
        return inferred != null ? inferred : preset.with(key, numeric, categorical, label);
    }

    /** Set when the spec comes from a user's table: its recorded roles, the named columns and its label's values. */
    private DataSpec inferred;

    private boolean userTableOptionsGiven() {
        return positive != null || image != null || !task.equals("binary");
    }

    /** Usage checks of the options that describe a user's table, before any Spark work. */
    void checkTableOptions(String table) {
        if (!LabelClasses.TASKS.contains(task)) {
            throw new IllegalArgumentException("--task must be one of " + String.join(", ", LabelClasses.TASKS) + ", got '" + task + "'");
        }
        if (positive != null && !task.equals("binary")) {
            throw new IllegalArgumentException("--positive applies to --task binary, not " + task);
        }
        if (table == null && userTableOptionsGiven()) {
            throw new IllegalArgumentException("--positive, --image and --task apply to a user's table: give --table");
        }
    }

    /** What {@link #useTable} decided, for the user to read. */
    record TableSpec(DataSpec spec, List<String> skipped, boolean featuresInferred, String imageSize) {
    }

    /**
     * A user's table — one whose ingest recorded its roles, or any table given with {@code --label} — is described
     * by those roles and the options given (an option wins over a recorded role): key, label, client and image
     * column; the features named with --numeric/--categorical, or else every other column except ingest's metadata
     * (see {@link DataSpec#inferred}); and the label's classes read from the table ({@link LabelClasses}). Returns
     * null when the preset describes the table.
     */
    TableSpec useTable(String table, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> data, TableRoles roles) {
        String labelColumn = label != null ? label : roles.label();
        // The domain's own raw table keeps its preset, whoever landed it
        if (table == null || (label == null && (roles.key() == null || table.equals(domain().rawTable())))) {
            if (userTableOptionsGiven()) {
                throw new io.fedlake.core.UserError("--positive, --image and --task apply to a user's table, and " + table
                        + " has no roles recorded by ingest: give --label COLUMN too");
            }
            return null;
        }
        if (labelColumn == null) {
            throw new io.fedlake.core.UserError("table " + table + " has no recorded label: give --label COLUMN (or ingest it with --label)");
        }
        DataSpec preset = domain().dataSpec();
        String keyColumn = key != null ? key : roles.key() != null ? roles.key() : preset.entityKey();
        String client = clientColumn != null ? clientColumn : roles.client() != null ? roles.client() : preset.clientKey();
        String imageColumn = image != null ? image : roles.image();
        List<String> columns = List.of(data.columns());
        List<String> named = new ArrayList<>(List.of(keyColumn, labelColumn));
        if (imageColumn != null) {
            named.add(imageColumn);
        }
        List<String> missing = named.stream().filter(c -> !columns.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw io.fedlake.core.UserError.missingColumns(table, missing, columns);
        }
        if (imageColumn != null && !(data.schema().apply(imageColumn).dataType() instanceof org.apache.spark.sql.types.BinaryType)) {
            throw new io.fedlake.core.UserError("--image " + imageColumn + " of " + table + " is " + data.schema().apply(imageColumn).dataType().simpleString()
                    + ", not binary (encoded image bytes)");
        }
        ModelSpec.Output output = task.equals("regression") ? LabelClasses.regression(data, table, labelColumn)
                : new ModelSpec.Output("p_" + labelColumn, labelColumn, LabelClasses.of(data, table, labelColumn, task, positive));
        if (!output.binary() && given().contains("--target-auc")) {
            throw new io.fedlake.core.UserError("--target-auc stops on a binary label's AUC; label " + labelColumn + " of " + table + " "
                    + (output.regression() ? "is a regression label" : "has " + output.classes().size() + " classes"));
        }
        List<String> skipped = new ArrayList<>();
        boolean infer = numeric == null && categorical == null;
        inferred = infer
                ? DataSpec.inferred(data.schema(), keyColumn, client, output, imageColumn, roles.metadata(), preset.standardizeImages(), skipped)
                : new DataSpec(keyColumn, client, numeric != null ? numeric : List.of(), categorical != null ? categorical : List.of(), imageColumn,
                List.of(output), preset.standardizeImages());
        String imageSize = null;
        if (inferred.imageColumn() != null && columns.contains("image_height") && columns.contains("image_width")) {
            imageSize = useMostCommonImageSize(data);
        }
        return new TableSpec(inferred, skipped, infer, imageSize);
    }

    /**
     * Decodes images at the size most of the table's images have (from ingest's metadata); images of another size
     * are rejected with their reason, not resampled. Returns what to tell the user.
     */
    private String useMostCommonImageSize(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> data) {
        List<org.apache.spark.sql.Row> sizes = data.where(org.apache.spark.sql.functions.col("image_height").isNotNull())
                .groupBy("image_height", "image_width").count().collectAsList();
        if (sizes.isEmpty()) {
            return null;
        }
        org.apache.spark.sql.Row top = sizes.stream().max(java.util.Comparator.comparingLong((org.apache.spark.sql.Row r) -> r.getLong(2))
                .thenComparingInt(r -> r.getInt(0) * r.getInt(1))).orElseThrow();
        int h = top.getInt(0);
        int w = top.getInt(1);
        if (Math.min(h, w) < 8 || Math.max(h, w) > 4096) {
            throw new io.fedlake.core.UserError("most images of the table are " + w + "×" + h + ": a model takes images of 8 to 4096 pixels a side");
        }
        inferred = inferred.withImageSize(h, w);
        long others = sizes.stream().filter(r -> r != top).mapToLong(r -> r.getLong(2)).sum();
        return w + "×" + h + (others == 0 ? "" : String.format(" (%,d images of other sizes will be rejected)", others));
    }

    TrainConfig config(String table, long seed) {
        return config(table, seed, null);
    }

    /** @param stopping early stopping, or null for a fixed number of epochs/rounds */
    TrainConfig config(String table, long seed, io.fedlake.train.EarlyStopping stopping) {
        boolean images = spec().imageColumn() != null;
        ModelHyperParams defaults = images ? ModelHyperParams.imageDefaults(seed) : ModelHyperParams.creditDefaults(seed);
        ModelHyperParams hyper = new ModelHyperParams(hidden != null ? hidden : defaults.hiddenLayers(),
                dropout != null ? dropout : defaults.dropout(), learningRate != null ? learningRate : defaults.learningRate(), l2, seed, updater);
        RegimeSettings settings = Regimes.factory(regime).settings(this, spec());
        return new TrainConfig(table != null ? table : domain().rawTable(), architecture(), hyper, spec(), epochs != null ? epochs : DEFAULT_EPOCHS,
                batchSize != null ? batchSize : images ? 32 : 64, averagingFrequency, prefetch, workers, holdout, seed, evalEvery, checkpointEvery,
                settings, stopping);
    }

    String modelName() {
        return name != null ? name : architecture();
    }

    /** The options the user gave on the command line (long names), in the order given; defaults do not count. */
    List<String> given() {
        ParseResult parsed = mixee == null || mixee.commandLine() == null ? null : mixee.commandLine().getParseResult();
        List<String> out = new ArrayList<>();
        if (parsed != null) {
            for (OptionSpec o : parsed.matchedOptions()) {
                if (!out.contains(o.longestName())) {
                    out.add(o.longestName());
                }
            }
        }
        return out;
    }

    /**
     * Refuses options the chosen regime (or federated strategy) does not read, and DP or key options given without
     * the option that switches their feature on.
     */
    void checkApplicable(List<String> given) {
        List<String> unused = new ArrayList<>();
        for (String o : given) {
            List<String> regimes = REGIMES_OF.get(o);
            if (regimes != null && !regimes.contains(regime)) {
                unused.add(o + " (applies to " + String.join(", ", regimes) + ")");
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--regime " + regime + " does not use " + String.join(", ", unused));
        }
        if (!Regimes.factory(regime).options().contains("--strategy")) {
            return;
        }
        for (String o : given) {
            String s = STRATEGY_OF.get(o);
            if (s != null && !s.equals(strategy)) {
                unused.add(o + " (applies to --strategy " + s + ")");
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--strategy " + strategy + " does not use " + String.join(", ", unused));
        }
        if (dpNoise == null) {
            List<String> dp = given.stream().filter(o -> o.startsWith("--dp-")).toList();
            if (!dp.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", dp) + " need(s) --dp-noise: without it DP-FedAvg is off");
            }
        }
    }

    /** The chosen regime's trainer, after refusing options it does not read. */
    Trainer trainer() {
        RegimeFactory factory = Regimes.factory(regime);
        checkApplicable(given());
        return factory.create(this);
    }

    /** Reads an option's value by name for the regime factories, from the command this mixin belongs to. */
    @Override
    public <T> T value(String option, Class<T> type) {
        OptionSpec o = mixee == null ? null : mixee.findOption(option);
        if (o == null) {
            throw new IllegalStateException("no option " + option + " in " + (mixee == null ? "an unparsed command" : mixee.qualifiedName()));
        }
        return type.cast(o.getValue());
    }

    /** Registered regimes, for help. */
    static final class RegimeNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Regimes.names().iterator();
        }
    }

    /** Registered architectures, for help. */
    static final class ArchitectureNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return io.fedlake.zoo.Architectures.all().keySet().iterator();
        }
    }

    /** Registered strategies, for help. */
    static final class StrategyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Strategies.names().iterator();
        }
    }
}
