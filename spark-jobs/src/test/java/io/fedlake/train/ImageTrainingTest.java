package io.fedlake.train;

import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.translate.DataSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import java.time.LocalDate;
import java.util.Map;
import io.fedlake.zoo.ModelHyperParams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fusion architectures learn the synthetic image domains through the same dl4j-paramavg path as credit. */
class ImageTrainingTest extends LocalSparkTest {

    private static Lake lake;

    @BeforeAll
    static void data() {
        lake = new Lake(spark, tmp.resolve("lake-images").toString());
        SyntheticData.generate(lake, Domain.IMAGING, 1_200, 2, 21, "gen-i");
        SyntheticData.generate(lake, Domain.DEFECT, 1_200, 2, 22, "gen-d");
    }

    private static TrainingJob.Outcome train(Domain domain, String architecture) {
        TrainConfig config = new TrainConfig(domain.rawTable(), architecture, ModelHyperParams.imageDefaults(5), domain.dataSpec(),
                3, 32, 5, 2, 2, 0.2, 5);
        List<String> progress = new ArrayList<>();
        TrainingJob.Outcome o = TrainingJob.run(lake, config, new Dl4jParameterAveragingTrainer(), architecture, "run-" + domain.id(), progress::add);
        System.out.printf("%s: %s in %.1f s; %s%n", architecture, o.metrics(), o.trainSeconds(), progress);
        return o;
    }

    @Test
    void imagingFusionFindsLesions() {
        TrainingJob.Outcome o = train(Domain.IMAGING, "imaging-fusion");

        assertEquals(0, o.rejectedRows());
        assertTrue(o.holdout().auc() > 0.75, "imaging-fusion holdout AUC " + o.holdout().auc());
    }

    @Test
    void defectFusionDetectsAndTypesDefects() {
        TrainingJob.Outcome o = train(Domain.DEFECT, "defect-fusion");

        double majority = lake.spark().read().format("delta").load(lake.pathOf("raw.defect")).where("defect_type = 'none'").count() / 1_200.0;
        assertTrue(o.metrics().get("holdout_p_defect_auc") > 0.75, "defect AUC " + o.metrics());
        assertTrue(o.metrics().get("holdout_p_defect_type_accuracy") > majority + 0.02,
                "type accuracy should beat always-'none' (" + majority + "): " + o.metrics());

        Lake.Snapshot input = lake.readLatest("raw.defect", "test");
        ScoringJob.Outcome scored = ScoringJob.run(lake, new ScoringJob.Request("defect", input, input.data().limit(300), "inspection_id", "plant_id",
                new ModelRegistry(lake).load("defect-fusion"), LocalDate.of(2026, 11, 23), "job-defect", 64, 0.5,
                ScoringPresets.decisions(Domain.DEFECT), 0, Map.of()));
        assertEquals(300, scored.scored());
        Row any = spark.read().format("delta").load(lake.pathOf("scores.defect")).head();
        Map<String, Double> classes = any.getJavaMap(any.fieldIndex("class_probabilities"));
        assertEquals(java.util.Set.of("none", "scratch", "spot", "crack"), classes.keySet());
        assertEquals(1.0, classes.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-4);
        assertEquals(classes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey(), any.getAs("predicted_class"));
        // every row's decision is the threshold applied to its own probability: reject at or above 0.5, pass below
        Dataset<Row> scores = spark.read().format("delta").load(lake.pathOf("scores.defect"));
        assertEquals(0, scores.where("probability IS NULL OR decision_threshold <> 0.5 OR decision <> CASE WHEN probability >= 0.5 THEN 'reject' ELSE 'pass' END").count(),
                "rows whose decision does not follow from their probability");
        // and the probability is the model's p(defect): higher on the parts that have a defect than on those that do not
        Row means = scores.join(input.data().select("inspection_id", "defect_type"), "inspection_id")
                .agg(avg(when(col("defect_type").notEqual("none"), col("probability"))), avg(when(col("defect_type").equalTo("none"), col("probability"))))
                .head();
        assertTrue(means.getDouble(0) > means.getDouble(1), "mean probability of defective vs sound parts: " + means);
    }
}
