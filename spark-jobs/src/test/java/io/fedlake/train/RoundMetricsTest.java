package io.fedlake.train;

import io.fedlake.eval.BinaryMetrics;
import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binned round AUC stays within its stated bound of the exact AUC, and the bound is tight. */
class RoundMetricsTest extends LocalSparkTest {

    private static final double TOL = 1e-12;
    private static final double BIN = 1.0 / RoundMetrics.BINS;

    /** Scores and 0/1 labels of one synthetic case. */
    private record Scores(String name, double[] p, int[] y) {
    }

    private interface Draw {
        /** One score for a row of class {@code y}. */
        double score(Random r, int y);
    }

    private static Scores draw(String name, long seed, int n, double positiveRate, Draw d) {
        Random r = new Random(seed);
        double[] p = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < positiveRate ? 1 : 0;
            p[i] = d.score(r, y[i]);
        }
        return new Scores(name, p, y);
    }

    /** The centre of one of a few bins, chosen at random. */
    private static double fewBins(Random r) {
        int[] bins = {3, 1000, 2048, 2049, 4000};
        return (bins[r.nextInt(bins.length)] + 0.5) * BIN;
    }

    private static List<Scores> cases() {
        return List.of(
                draw("uniform, weakly separated", 11, 1_500, 0.3, (r, y) -> Math.min(1, r.nextDouble() * 0.9 + 0.1 * y)),
                draw("coarse: 21 distinct values, many exact ties", 12, 1_500, 0.25, (r, y) -> Math.round((r.nextDouble() * 0.8 + 0.2 * y) * 20) / 20.0),
                draw("saturated near 0 and 1", 13, 1_500, 0.4, (r, y) -> {
                    double u = Math.pow(r.nextDouble(), 6);
                    return r.nextDouble() < 0.8 ? (y == 1 ? 1 - u : u) : (y == 1 ? u : 1 - u);
                }),
                draw("a few bins, jittered within", 14, 1_200, 0.5, (r, y) -> fewBins(r) + (r.nextDouble() - 0.5) * 0.9 * BIN),
                draw("a few bins, positives above negatives within", 15, 1_200, 0.5, (r, y) -> fewBins(r) + (y - 0.5) * 0.5 * BIN),
                draw("a few bins, positives below negatives within", 16, 1_200, 0.5, (r, y) -> fewBins(r) - (y - 0.5) * 0.5 * BIN),
                draw("end points and out of range", 17, 800, 0.5, (r, y) -> new double[]{0, 1, -0.2, 1.3, 1 - 1e-9, 1e-9}[r.nextInt(6)]));
    }

    /** Mann–Whitney by definition: the fraction of (positive, negative) pairs ranked right, equal scores one half. */
    private static double pairwiseAuc(Scores s) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < s.p.length; i++) {
            if (s.y[i] != 1) {
                continue;
            }
            for (int j = 0; j < s.p.length; j++) {
                if (s.y[j] == 0) {
                    pairs++;
                    wins += s.p[i] > s.p[j] ? 1 : s.p[i] == s.p[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    private static RoundMetrics binned(Scores s) {
        RoundMetrics m = new RoundMetrics();
        for (int i = 0; i < s.p.length; i++) {
            m.add(s.p[i], s.y[i]);
        }
        return m;
    }

    private static double sparkAuc(Scores s) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < s.p.length; i++) {
            rows.add(RowFactory.create(s.y[i], s.p[i]));
        }
        StructType schema = new StructType().add("y", DataTypes.IntegerType).add("p", DataTypes.DoubleType);
        return BinaryMetrics.compute(spark.createDataFrame(rows, schema), "y", "p", 0.5).auc();
    }

    @Test
    void binnedAucIsWithinItsBoundOfTheExactAuc() {
        for (Scores s : cases()) {
            RoundMetrics m = binned(s);
            double exact = pairwiseAuc(s);
            double bound = m.aucErrorBound();
            assertTrue(bound >= 0 && bound <= 0.5, s.name + ": bound " + bound);
            assertTrue(Math.abs(m.auc() - exact) <= bound + TOL,
                    s.name + ": |" + m.auc() + " − " + exact + "| = " + Math.abs(m.auc() - exact) + " > bound " + bound);
        }
    }

    @Test
    void theSortBasedExactAucAgreesAndIsWithinTheBoundToo() {
        for (Scores s : List.of(cases().get(0), cases().get(1), cases().get(3), cases().get(5))) {
            RoundMetrics m = binned(s);
            double exact = sparkAuc(s);
            assertEquals(pairwiseAuc(s), exact, 1e-9, s.name + ": BinaryMetrics against the pairwise definition");
            assertTrue(Math.abs(m.auc() - exact) <= m.aucErrorBound() + TOL,
                    s.name + ": |" + m.auc() + " − " + exact + "| > bound " + m.aucErrorBound());
        }
    }

    @Test
    void theBoundIsReachedWhenEverySharedBinPairIsOrderedOneWay() {
        for (Scores s : List.of(cases().get(4), cases().get(5))) {
            RoundMetrics m = binned(s);
            assertTrue(m.aucErrorBound() > 0.05, s.name + ": a case with many shared-bin pairs, bound " + m.aucErrorBound());
            assertEquals(m.aucErrorBound(), Math.abs(m.auc() - pairwiseAuc(s)), TOL, s.name);
        }
    }

    @Test
    void pairsThatShareABinOnlyByEqualScoresCostNothing() {
        Scores coarse = cases().get(1); // 21 values k/20, each in a bin of its own
        RoundMetrics m = binned(coarse);
        assertTrue(m.aucErrorBound() > 0.01, "the coarse case has many tied pairs, bound " + m.aucErrorBound());
        assertEquals(pairwiseAuc(coarse), m.auc(), TOL);
    }

    @Test
    void oneBinHoldingEverythingGivesOneHalfWithTheLargestBound() {
        RoundMetrics m = new RoundMetrics();
        m.add(0.5 + 0.1 * BIN, 1);
        m.add(0.5 + 0.1 * BIN, 1);
        m.add(0.5, 0);
        assertEquals(0.5, m.auc(), TOL);
        assertEquals(0.5, m.aucErrorBound(), TOL); // exact AUC is 1
    }

    @Test
    void separatedClassesAreExactWithBoundZero() {
        RoundMetrics m = new RoundMetrics();
        m.add(0.9, 1);
        m.add(0.2, 1);
        m.add(0.6, 0);
        m.add(0.1, 0);
        assertEquals(0.75, m.auc(), TOL);
        assertEquals(0.0, m.aucErrorBound(), 0.0);
    }

    @Test
    void theBoundOfMergedMetricsIsTheBoundOfAllScores() {
        Scores s = cases().get(3);
        RoundMetrics whole = binned(s);
        RoundMetrics left = new RoundMetrics();
        RoundMetrics right = new RoundMetrics();
        for (int i = 0; i < s.p.length; i++) {
            (i % 3 == 0 ? left : right).add(s.p[i], s.y[i]);
        }
        RoundMetrics merged = left.merge(right);
        assertEquals(whole.aucErrorBound(), merged.aucErrorBound(), 0.0);
        assertEquals(whole.auc(), merged.auc(), 0.0);
    }

    @Test
    void oneClassOnlyHasNoAucAndNoBound() {
        RoundMetrics m = new RoundMetrics();
        m.add(0.3, 1);
        m.add(0.7, 1);
        assertTrue(Double.isNaN(m.auc()));
        assertTrue(Double.isNaN(m.aucErrorBound()));
    }

    @Test
    void aSoftmaxOutputCountsTheArgMaxAndTheTrueClasssLogLossAndHasNoAuc() {
        RoundMetrics m = new RoundMetrics();
        float[] p = {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f};
        float[] oneHot = {1, 0, 0, 0, 1, 0};

        m.addSoftmax(p, 0, oneHot, 0, 3);
        m.addSoftmax(p, 3, oneHot, 3, 3);

        assertEquals(2, m.rows());
        assertEquals(0.5, m.accuracy(), TOL);
        assertEquals(-(Math.log(0.7f) + Math.log(0.3f)) / 2, m.logLoss(), 1e-6);
        assertTrue(Double.isNaN(m.auc()));
    }
}
