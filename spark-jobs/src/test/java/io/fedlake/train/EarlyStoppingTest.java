package io.fedlake.train;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyStoppingTest {

    /** Validation rows scored so that the AUC is {@code auc}: of 100 pairs, auc·100 ordered right. */
    private static RoundMetrics withAuc(double auc) {
        RoundMetrics m = new RoundMetrics();
        int right = (int) Math.round(auc * 10);
        // 10 positives and 10 negatives; positives above all negatives in `right` of 10 cases
        for (int i = 0; i < 10; i++) {
            m.add(0.5, 0f);
            m.add(i < right ? 0.9 : 0.1, 1f);
        }
        return m;
    }

    @Test
    void keepsTheBestEvaluationAndStopsAfterPatienceWithoutImprovement() {
        EarlyStopping.Tracker t = new EarlyStopping(2, 0.1).tracker();
        assertFalse(t.observe(1, 1, withAuc(0.6), new float[]{1}));
        assertFalse(t.observe(2, 2, withAuc(0.8), new float[]{2}));
        assertFalse(t.observe(3, 3, withAuc(0.7), new float[]{3}), "one evaluation without improvement: patience 2 goes on");
        assertFalse(t.observe(4, 4, withAuc(0.9), new float[]{4}), "an improvement resets the count");
        assertFalse(t.observe(5, 5, withAuc(0.9), new float[]{5}), "equal is not better");
        assertTrue(t.observe(6, 6, withAuc(0.5), new float[]{6}));
        assertArrayEquals(new float[]{4}, t.best());
        assertEquals(4, t.bestRound());
        assertTrue(t.describe().contains("no better for 2 evaluation(s) after round 6; kept round 4 (epoch 4), validation AUC 0.9000"), t.describe());
        assertEquals(6, t.report(0.1).get("evaluations"));
    }

    @Test
    void theBestParametersAreACopyNotTheRegimesLiveArray() {
        EarlyStopping.Tracker t = new EarlyStopping(1, 0.1).tracker();
        float[] live = {1, 2};
        t.observe(1, 1, withAuc(0.8), live);
        live[0] = 99;
        assertArrayEquals(new float[]{1, 2}, t.best());
    }

    @Test
    void aValidationSplitWithOneClassFallsBackToLogLoss() {
        EarlyStopping.Tracker t = new EarlyStopping(1, 0.1).tracker();
        RoundMetrics good = new RoundMetrics();
        good.add(0.1, 0f);
        RoundMetrics worse = new RoundMetrics();
        worse.add(0.4, 0f);
        assertFalse(t.observe(1, 1, good, new float[]{1}));
        assertTrue(t.observe(2, 2, worse, new float[]{2}));
        assertArrayEquals(new float[]{1}, t.best());
        assertEquals("validation_log_loss", t.report(0.1).get("metric"));
    }

    @Test
    void aRestoredTrackerStopsWhereTheUninterruptedOneDoes() {
        EarlyStopping settings = new EarlyStopping(3, 0.1);
        double[] aucs = {0.6, 0.75, 0.7, 0.72, 0.74, 0.71};
        EarlyStopping.Tracker whole = settings.tracker();
        EarlyStopping.Tracker first = settings.tracker();
        int stoppedWhole = 0;
        for (int i = 0; i < aucs.length && stoppedWhole == 0; i++) {
            if (whole.observe(i + 1, i + 1, withAuc(aucs[i]), new float[]{i})) {
                stoppedWhole = i + 1;
            }
        }
        first.observe(1, 1, withAuc(aucs[0]), new float[]{0});
        first.observe(2, 2, withAuc(aucs[1]), new float[]{1});
        first.observe(3, 3, withAuc(aucs[2]), new float[]{2});
        Map<String, float[]> checkpoint = new HashMap<>(first.state());
        checkpoint.put("params", new float[]{7});
        EarlyStopping.Tracker resumed = settings.tracker();
        resumed.restore(checkpoint);
        assertEquals(Map.of("params", 7f), Map.of("params", checkpoint.get("params")[0]), "restore takes its own arrays out of the checkpoint's");
        assertEquals(1, checkpoint.size());
        int stoppedResumed = 0;
        for (int i = 3; i < aucs.length && stoppedResumed == 0; i++) {
            if (resumed.observe(i + 1, i + 1, withAuc(aucs[i]), new float[]{i})) {
                stoppedResumed = i + 1;
            }
        }
        assertEquals(5, stoppedWhole);
        assertEquals(stoppedWhole, stoppedResumed);
        assertArrayEquals(whole.best(), resumed.best());
    }

    @Test
    void anEmptyValidationSplitIsRefusedNotSilentlyKeptAtItsFirstRound() {
        EarlyStopping.Tracker t = new EarlyStopping(2, 0.1).tracker();
        io.fedlake.core.UserError e = assertThrows(io.fedlake.core.UserError.class, () -> t.observe(1, 1, new RoundMetrics(), new float[]{1}));
        assertTrue(e.getMessage().contains("no validation row") && e.getMessage().contains("--no-early-stopping"), e.getMessage());
    }

    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(3, 0.6));
    }

    @Test
    void epochsAndBatchesAreSizedToTheTable() {
        assertEquals(50, TrainingJob.sizedEpochs(432), "a few hundred rows get the most epochs");
        assertEquals(14, TrainingJob.sizedEpochs(2_880));
        assertEquals(3, TrainingJob.sizedEpochs(1_000_000), "a large table keeps the fewest");
        assertEquals(16, TrainingJob.sizedBatch(432, 64));
        assertEquals(32, TrainingJob.sizedBatch(2_880, 64));
        assertEquals(64, TrainingJob.sizedBatch(1_000_000, 64));
        assertEquals(32, TrainingJob.sizedBatch(1_000_000, 32), "never above the configured batch");
    }
}
