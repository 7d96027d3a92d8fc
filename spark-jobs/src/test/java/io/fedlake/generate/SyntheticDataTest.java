package io.fedlake.generate;

import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generators are deterministic, realistic in shape, and carry signal a simple model can find. */
class SyntheticDataTest extends LocalSparkTest {

    @Test
    void sameSeedGivesTheSameRowsWhateverThePartitioningAndAnotherSeedDoesNot() {
        for (Domain d : Domain.values()) {
            Dataset<Row> a = SyntheticData.rows(spark, d, 300, 2, 42);
            Dataset<Row> b = SyntheticData.rows(spark, d, 300, 5, 42);
            Dataset<Row> c = SyntheticData.rows(spark, d, 300, 2, 43);
            String key = d.entityKey();
            List<Row> ra = a.orderBy(key).collectAsList();
            assertEquals(ra, b.orderBy(key).collectAsList(), d + " depends on partitioning");
            assertTrue(!ra.equals(c.orderBy(key).collectAsList()), d + " ignores the seed");
        }
    }

    @Test
    void deltaRoundTripKeepsEveryRow() {
        Lake lake = new Lake(spark, tmp.resolve("lake-roundtrip").toString());

        SyntheticData.Result r = SyntheticData.generate(lake, Domain.CREDIT, 2_000, 3, 7, "run-test");

        Dataset<Row> back = spark.read().format("delta").load(r.path());
        Dataset<Row> expected = SyntheticData.rows(spark, Domain.CREDIT, 2_000, 1, 7);
        assertEquals(2_000, back.count());
        assertEquals(0, back.exceptAll(expected).count());
        assertEquals(0, expected.exceptAll(back).count());
        assertEquals(0, r.version());
        String meta = spark.read().format("delta").load(r.path()).sparkSession().sql("DESCRIBE HISTORY delta.`" + r.path() + "`")
                .select("userMetadata").head().getString(0);
        assertEquals("run-test", meta);
    }

    @Test
    void creditDefaultRateIsRealisticAndNonLinearSignalBeatsALinearModelOnRawColumns() {
        Dataset<Row> credit = SyntheticData.rows(spark, Domain.CREDIT, 40_000, 4, 11).cache();
        double rate = credit.agg(avg("defaulted_12m")).head().getDouble(0);
        assertTrue(rate > 0.05 && rate < 0.15, "default rate " + rate);
        assertEquals(24, credit.select("branch_id").distinct().count());

        List<String> raw = List.of("age", "annual_income", "employment_years", "loan_amount", "loan_term_months", "interest_rate",
                "debt_to_income", "credit_history_years", "num_open_accounts", "num_delinquencies_2y", "revolving_utilization",
                "num_inquiries_6m");
        Dataset<Row> withShapes = credit
                .withColumn("dti_over_036", expr("greatest(debt_to_income - 0.36, 0)"))
                .withColumn("age_sq", expr("pow((age - 45) / 18.0, 2)"))
                .withColumn("util_delinq", expr("CASE WHEN revolving_utilization > 0.8 THEN (CASE WHEN num_delinquencies_2y > 0 THEN 1.5 ELSE 0.5 END) ELSE 0 END"))
                .withColumn("log_income", expr("ln(annual_income)"));
        List<String> shaped = new ArrayList<>(raw);
        shaped.addAll(List.of("dti_over_036", "age_sq", "util_delinq", "log_income"));

        double rawAuc = logisticRegressionAuc(withShapes, raw);
        double shapedAuc = logisticRegressionAuc(withShapes, shaped);

        System.out.printf("credit: default rate %.4f, logistic regression AUC raw %.4f, with true shapes %.4f%n", rate, rawAuc, shapedAuc);
        assertTrue(rawAuc > 0.70, "a linear model on raw columns should beat chance clearly, AUC " + rawAuc);
        assertTrue(shapedAuc > rawAuc + 0.01, "non-linear structure should matter: raw " + rawAuc + " vs shaped " + shapedAuc);
    }

    private static double logisticRegressionAuc(Dataset<Row> data, List<String> numeric) {
        List<PipelineStage> stages = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        for (String c : List.of("employment_type", "home_ownership", "loan_purpose")) {
            stages.add(new StringIndexer().setInputCol(c).setOutputCol(c + "_i"));
            stages.add(new OneHotEncoder().setInputCol(c + "_i").setOutputCol(c + "_v"));
            inputs.add(c + "_v");
        }
        stages.add(new VectorAssembler().setInputCols(numeric.toArray(new String[0])).setOutputCol("num"));
        stages.add(new StandardScaler().setInputCol("num").setOutputCol("num_s").setWithMean(true));
        inputs.add("num_s");
        stages.add(new VectorAssembler().setInputCols(inputs.toArray(new String[0])).setOutputCol("features"));
        stages.add(new LogisticRegression().setLabelCol("label").setMaxIter(200));
        Dataset<Row> labelled = data.withColumn("label", col("defaulted_12m").cast("double"));
        Dataset<Row>[] split = labelled.randomSplit(new double[]{0.7, 0.3}, 5);
        Dataset<Row> scored = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(split[0]).transform(split[1]);
        return new BinaryClassificationEvaluator().setRawPredictionCol("rawPrediction").evaluate(scored);
    }

    @Test
    void imagingStudiesAreDecodablePngsWhoseLesionsAndClinicalValuesCarryTheFindingAndHospitalsDiffer() throws IOException {
        Dataset<Row> img = SyntheticData.rows(spark, Domain.IMAGING, 1_500, 3, 5).cache();
        Row first = img.head();
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(first.getAs("image")));
        assertEquals(64, decoded.getWidth());
        assertEquals(64, decoded.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, decoded.getType());

        List<Row> rates = img.groupBy("hospital_id").agg(avg("finding").as("rate")).collectAsList();
        double lo = rates.stream().mapToDouble(r -> r.getDouble(1)).min().orElseThrow();
        double hi = rates.stream().mapToDouble(r -> r.getDouble(1)).max().orElseThrow();
        assertEquals(6, rates.size());
        assertTrue(hi - lo > 0.1, "hospitals should differ in prevalence: " + lo + " … " + hi);

        spark.udf().register("bright_spot", (UDF1<byte[], Double>) SyntheticDataTest::brightSpotScore, DataTypes.DoubleType);
        Dataset<Row> scored = img.withColumn("s", callUDF("bright_spot", col("image"))).withColumn("label", col("finding").cast("double"));
        double imageAuc = new BinaryClassificationEvaluator().setRawPredictionCol("s").evaluate(scored);
        double crpAuc = new BinaryClassificationEvaluator().setRawPredictionCol("crp_mg_l").evaluate(scored);
        System.out.printf("imaging: prevalence %.3f…%.3f, bright-spot AUC %.4f, CRP AUC %.4f%n", lo, hi, imageAuc, crpAuc);
        assertTrue(imageAuc > 0.75, "a hand-made lesion detector should find findings, AUC " + imageAuc);
        assertTrue(crpAuc > 0.6, "CRP should carry the finding, AUC " + crpAuc);
    }

    @Test
    void inspectionImagesShowTheirDefectsAndSensorsDriveDefectTypes() {
        Dataset<Row> def = SyntheticData.rows(spark, Domain.DEFECT, 3_000, 3, 9).cache();
        List<Row> types = def.groupBy("defect_type").count().collectAsList();
        assertEquals(4, types.size(), "all defect types present: " + types);
        assertEquals(4, def.select("plant_id").distinct().count());

        spark.udf().register("anomaly", (UDF1<byte[], Double>) SyntheticDataTest::anomalyScore, DataTypes.DoubleType);
        Dataset<Row> scored = def.withColumn("s", callUDF("anomaly", col("image"))).withColumn("label", col("is_defect").cast("double"));
        double auc = new BinaryClassificationEvaluator().setRawPredictionCol("s").evaluate(scored);
        System.out.printf("defect: types %s, anomaly AUC %.4f%n", types, auc);
        assertTrue(auc > 0.75, "defects should be visible in the image, AUC " + auc);

        double vibScratch = def.where("defect_type = 'scratch'").agg(avg("vibration_rms")).head().getDouble(0);
        double vibNone = def.where("defect_type = 'none'").agg(avg("vibration_rms")).head().getDouble(0);
        double humSpot = def.where("defect_type = 'spot'").agg(avg("humidity_pct")).head().getDouble(0);
        double humNone = def.where("defect_type = 'none'").agg(avg("humidity_pct")).head().getDouble(0);
        System.out.printf("defect: vibration scratch %.3f vs none %.3f; humidity spot %.2f vs none %.2f%n", vibScratch, vibNone, humSpot, humNone);
        assertTrue(vibScratch > vibNone * 1.1, "scratches come with vibration: " + vibScratch + " vs " + vibNone);
        assertTrue(humSpot > humNone + 3, "spots come with humidity: " + humSpot + " vs " + humNone);
    }

    /** The planted-finding masks mark exactly the positive rows, and the marked pixels are where the image departs from its surroundings. */
    @Test
    void plantedMasksCoverTheLesionsAndDefectsOfPositiveRowsOnly() throws IOException {
        for (Domain domain : new Domain[]{Domain.IMAGING, Domain.DEFECT}) {
            String label = domain == Domain.IMAGING ? "finding" : "is_defect";
            String key = domain.entityKey();
            int positives = 0;
            double inside = 0;
            double outside = 0;
            for (Row row : SyntheticData.rows(spark, domain, 120, 1, 11).collectAsList()) {
                boolean[] mask = SyntheticData.plantedMask(domain, 11, row.getAs(key));
                int marked = 0;
                for (boolean m : mask) {
                    marked += m ? 1 : 0;
                }
                int positive = row.<Integer>getAs(label);
                assertEquals(positive == 1, marked > 0, row.getAs(key) + ": " + marked + " marked pixels, " + label + " = " + positive);
                if (positive == 1) {
                    positives++;
                    assertTrue(marked < 64 * 64 / 8, row.getAs(key) + " marks " + marked + " pixels");
                    int[] px = gray(row.getAs("image"));
                    double median = Arrays.stream(px).sorted().toArray()[px.length / 2];
                    double in = 0;
                    double out = 0;
                    for (int i = 0; i < px.length; i++) {
                        if (mask[i]) {
                            in += Math.abs(px[i] - median) / marked;
                        } else {
                            out += Math.abs(px[i] - median) / (px.length - marked);
                        }
                    }
                    inside += in;
                    outside += out;
                }
            }
            System.out.printf("%s: %d positives, mean |pixel − median| inside the mask %.1f, outside %.1f%n", domain.id(), positives,
                    inside / positives, outside / positives);
            assertTrue(positives >= 10, domain.id() + " positives " + positives);
            assertTrue(inside > 1.5 * outside, domain.id() + ": planted pixels should stand out, " + inside / positives + " vs " + outside / positives);
        }
    }

    /** Brightest 3×3 neighbourhood minus the image's median: lesions are small bright blobs. */
    static double brightSpotScore(byte[] png) throws IOException {
        int[] px = gray(png);
        int[] sorted = px.clone();
        Arrays.sort(sorted);
        double best = 0;
        for (int y = 1; y < 63; y++) {
            for (int x = 1; x < 63; x++) {
                double s = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        s += px[(y + dy) * 64 + x + dx];
                    }
                }
                best = Math.max(best, s / 9);
            }
        }
        return best - sorted[sorted.length / 2];
    }

    /**
     * Largest 3×3-averaged deviation from the row median: scratches, spots and cracks break the streak pattern over
     * several pixels, while noise and single-pixel dust average out.
     */
    static double anomalyScore(byte[] png) throws IOException {
        int[] px = gray(png);
        double[] dev = new double[64 * 64];
        for (int y = 0; y < 64; y++) {
            int[] sorted = Arrays.copyOfRange(px, y * 64, y * 64 + 64);
            Arrays.sort(sorted);
            for (int x = 0; x < 64; x++) {
                dev[y * 64 + x] = px[y * 64 + x] - sorted[32];
            }
        }
        double worst = 0;
        for (int y = 1; y < 63; y++) {
            for (int x = 1; x < 63; x++) {
                double s = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        s += dev[(y + dy) * 64 + x + dx];
                    }
                }
                worst = Math.max(worst, Math.abs(s / 9));
            }
        }
        return worst;
    }

    private static int[] gray(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int[] px = new int[64 * 64];
        img.getRaster().getPixels(0, 0, 64, 64, px);
        return px;
    }
}
