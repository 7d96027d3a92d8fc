package io.fedlake.train;

import io.fedlake.eval.BinaryMetrics;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The baseline beside every network: Spark MLlib's logistic regression (multinomial for a multi-class label, linear
 * regression for a regression label) on the
 * same tabular features and the same train/holdout split, so a user sees at once whether the network earns its cost.
 * Numeric features are mean-imputed (on the training split) and standardised, categoricals one-hot encoded with a
 * slot for unseen values. Images are not features of the baseline; a model without tabular features has none.
 */
public final class Baseline {

    /** Metrics are named like the network's, under this prefix: {@code baseline_auc}, {@code baseline_p_x_accuracy}. */
    public static final String PREFIX = "baseline_";
    private static final String LABEL = "__baseline_label";
    private static final String FEATURES = "__baseline_features";

    private Baseline() {
    }

    /** Why there is no baseline for {@code spec}, or null when there is one. */
    public static String notApplicable(DataSpec spec) {
        if (spec.numeric().isEmpty() && spec.categorical().isEmpty()) {
            return "the model has no tabular features (MLlib's logistic regression does not read images)";
        }
        if (spec.outputs().size() != 1) {
            return "the model has " + spec.outputs().size() + " outputs; the baseline fits one label";
        }
        return null;
    }

    /** Fits on {@code train} and evaluates on {@code holdout}; metrics as {@link TrainingJob#evaluate} names them, prefixed. */
    public static Map<String, Double> fitAndEvaluate(Dataset<Row> train, Dataset<Row> holdout, DataSpec spec) {
        ModelSpec.Output o = spec.outputs().get(0);
        Column labelled = col(LABEL).isNotNull().and(functions.not(functions.isnan(col(LABEL))));
        PipelineModel model = pipeline(spec).fit(withLabel(train, spec).where(labelled));
        Dataset<Row> scored = model.transform(withLabel(holdout, spec).where(labelled));
        if (o.regression()) {
            return RegressionHoldoutMetrics.compute(scored, o, "prediction", PREFIX); // baseline_rmse, …, as a binary label's baseline_auc
        }
        Column p = org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64");
        Dataset<Row> out = scored.select(col(o.column()), o.binary() ? functions.element_at(p, 2).as(o.name()) : p.as(o.name()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, Double> m = new LinkedHashMap<>();
            String prefix = PREFIX + o.name() + "_";
            if (o.binary()) {
                BinaryMetrics b = BinaryMetrics.compute(TrainingJob.withPositiveIndicator(out, o), TrainingJob.POSITIVE, o.name(), 0.5);
                m.put(PREFIX + "auc", b.auc());
                m.put(PREFIX + "accuracy", b.accuracy());
                m.put(PREFIX + "log_loss", b.logLoss());
            } else {
                MulticlassMetrics.compute(out, o, prefix).metrics().forEach(m::put);
            }
            return m;
        } finally {
            out.unpersist();
        }
    }

    /**
     * The label as the class index of the output (0-based, the network's class order), or a regression's value as a
     * double; null for a row without one.
     */
    private static Dataset<Row> withLabel(Dataset<Row> rows, DataSpec spec) {
        ModelSpec.Output o = spec.outputs().get(0);
        Dataset<Row> d = rows.withColumn(LABEL, o.regression() ? col(o.column()).cast("double") : TrainingJob.classIndex(col(o.column()), o));
        for (String c : spec.numeric()) {
            d = d.withColumn(NUMERIC + c, col(c).cast("double")); // booleans and integers too: the Imputer takes doubles
        }
        return d;
    }

    private static final String NUMERIC = "__num_";

    private static Pipeline pipeline(DataSpec spec) {
        List<PipelineStage> stages = new ArrayList<>();
        List<String> assembled = new ArrayList<>();
        if (!spec.numeric().isEmpty()) {
            String[] in = spec.numeric().stream().map(c -> NUMERIC + c).toArray(String[]::new);
            String[] imputed = spec.numeric().stream().map(c -> "__imp_" + c).toArray(String[]::new);
            stages.add(new Imputer().setInputCols(in).setOutputCols(imputed).setStrategy("mean"));
            assembled.addAll(List.of(imputed));
        }
        for (String c : spec.categorical()) {
            stages.add(new StringIndexer().setInputCol(c).setOutputCol("__idx_" + c).setHandleInvalid("keep"));
            stages.add(new OneHotEncoder().setInputCol("__idx_" + c).setOutputCol("__hot_" + c).setHandleInvalid("keep"));
            assembled.add("__hot_" + c);
        }
        stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol("__raw_features").setHandleInvalid("keep"));
        stages.add(new StandardScaler().setInputCol("__raw_features").setOutputCol(FEATURES).setWithMean(false).setWithStd(true));
        stages.add(spec.outputs().get(0).regression()
                ? new org.apache.spark.ml.regression.LinearRegression().setLabelCol(LABEL).setFeaturesCol(FEATURES).setMaxIter(100).setRegParam(1e-4)
                : new LogisticRegression().setLabelCol(LABEL).setFeaturesCol(FEATURES).setMaxIter(100).setRegParam(1e-4).setFamily("auto"));
        return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
    }
}
