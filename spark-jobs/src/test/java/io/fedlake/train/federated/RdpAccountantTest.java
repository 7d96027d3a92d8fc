package io.fedlake.train.federated;

import io.fedlake.train.federated.RdpAccountant.Conversion;
import io.fedlake.train.federated.RdpAccountant.Epsilon;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference values come from TensorFlow Privacy's own tests (github.com/tensorflow/privacy):
 * <ul>
 *   <li>TFP-RDP-NEW: {@code tensorflow_privacy/privacy/analysis/rdp_accountant_test.py} at commit 09270af (2021-05-07),
 *       after the switch to the Balle et al. 2020 conversion;</li>
 *   <li>TFP-RDP-OLD: the same file at commit 1ce8cd4 (2019-10-14), with the classic Mironov 2017 conversion;</li>
 *   <li>TFP-SGD: {@code tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py} at commit be8175b
 *       (2020-12-30), whose diff lists the values before (classic) and after (Balle et al. 2020) the conversion change;</li>
 *   <li>TFP-MNIST: {@code tutorials/README.md} (2019): the MNIST DP-SGD tutorial, N = 60000, batch 256, noise 1.1,
 *       60 epochs, δ = 1e-5 → "eps = 3.01", computed then with the classic conversion.</li>
 * </ul>
 * Python's {@code assertAlmostEqual(a, b, places=p)} means |a − b| &lt; 0.5·10^−p; the tolerances below use that.
 */
class RdpAccountantTest {

    private static final double[] SGD_ORDERS = RdpAccountant.DEFAULT_ORDERS; // = compute_dp_sgd_privacy's orders

    @Test
    void gaussianWithoutSamplingIsOrderOverTwoZSquared() {
        // TFP-RDP-NEW test_compute_rdp_no_sampling: q = 1, z = 10, order 20 → 20/(2·100) = 0.1; q = 0 → 0
        assertEquals(0.1, SampledGaussianRdp.rdp(1, 10, 20), 1e-15);
        assertEquals(0.0, SampledGaussianRdp.rdp(0, 10, 20));
    }

    @Test
    void sampledGaussianScalarMatchesTensorFlowPrivacy() {
        // TFP-RDP-NEW test_compute_rdp_scalar: compute_rdp(q=0.1, z=2, steps=10, order=5) ≈ 0.07737 (places=5)
        double[] rdp = RdpAccountant.rdpVector(0.1, 2, 10, new double[] {5});
        assertEquals(0.07737, rdp[0], 0.5e-5);
    }

    @Test
    void sampledGaussianSequenceWithFractionalOrdersMatchesTensorFlowPrivacy() {
        // TFP-RDP-NEW test_compute_rdp_sequence: compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100, inf]), delta=1e-5
        double[] orders = {1.5, 2.5, 5, 50, 100, Double.POSITIVE_INFINITY};
        double[] rdp = RdpAccountant.rdpVector(0.01, 2.5, 50, orders);
        double[] expected = {0.00065, 0.001085, 0.00218075, 0.023846, 167.416307, Double.POSITIVE_INFINITY};
        assertArrayEquals(expected, rdp, 1e-5);
    }

    @Test
    void classicConversionMatchesTensorFlowPrivacy2019() {
        // TFP-RDP-OLD test_get_privacy_spent_check_target_delta: compute_rdp(0.01, 4, 10000, orders 2..32),
        // δ = 1e-5 → ε ≈ 1.258575 (places=5) at order 20
        double[] orders = new double[31];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = i + 2;
        }
        RdpAccountant acc = new RdpAccountant(orders);
        acc.compose(0.01, 4, 10000);
        Epsilon eps = acc.epsilon(1e-5, Conversion.MIRONOV_2017);
        assertEquals(1.258575, eps.epsilon(), 0.5e-5);
        assertEquals(20, eps.order());
    }

    @Test
    void heterogeneousCompositionMatchesTensorFlowPrivacy() {
        // TFP-RDP-OLD test_check_composition: 40000 steps of (q=1e-4, z=0.4) then 100 steps of (q=0.1, z=2), δ=1e-5
        // → ε ≈ 8.509656 (places=5) at order 2.5 with the classic conversion; TFP-RDP-NEW asserts ε ≤ 8.509656
        // with the improved one
        double[] orders = {1.25, 1.5, 1.75, 2., 2.5, 3., 4., 5., 6., 7., 8., 10., 12., 14., 16., 20., 24., 28., 32., 64., 256.};
        RdpAccountant acc = new RdpAccountant(orders);
        acc.compose(1e-4, 0.4, 40000);
        for (int i = 0; i < 100; i++) {
            acc.step(0.1, 2);
        }
        Epsilon classic = acc.epsilon(1e-5, Conversion.MIRONOV_2017);
        assertEquals(8.509656, classic.epsilon(), 0.5e-5);
        assertEquals(2.5, classic.order());
        assertTrue(acc.epsilon(1e-5) <= 8.509656);
        assertEquals(40100, acc.steps());
    }

    @Test
    void improvedConversionOfConstantRdpMatchesTensorFlowPrivacy() {
        // TFP-RDP-NEW test_get_privacy_spent_check_target_delta: rdp = 1.1 at orders 2..32, δ = 1e-5 →
        // ε = 1.32783806176 (places=7) at order 32; by hand 1.1 + log(31/32) − log(1e-5·32)/31
        double[] orders = new double[31];
        double[] rdp = new double[31];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = i + 2;
            rdp[i] = 1.1;
        }
        Epsilon eps = RdpAccountant.epsilon(orders, rdp, 1e-5, Conversion.BALLE_2020);
        assertEquals(1.32783806176, eps.epsilon(), 0.5e-7);
        assertEquals(32, eps.order());
    }

    @Test
    void improvedConversionOfTheGaussianMechanismMatchesTensorFlowPrivacy() {
        // TFP-RDP-NEW, second half of test_get_privacy_spent_check_target_delta: z = 4.530877117 is (1, 1e-6)-DP;
        // orders 0.001·i for i in 1000..99999 (we start at 1.001: order 1 is never optimal, ε is +∞ there)
        double[] orders = new double[99999 - 1001 + 1];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = 0.001 * (i + 1001);
        }
        double[] rdp = RdpAccountant.rdpVector(1, 4.530877117, 1, orders);
        assertEquals(1.0, RdpAccountant.epsilon(orders, rdp, 1e-6, Conversion.BALLE_2020).epsilon(), 0.5e-7);
    }

    @Test
    void dpSgdStatementsMatchTensorFlowPrivacy() {
        // TFP-SGD test_compute_dp_sgd_privacy (places=7): (N, batch, z, epochs, δ) → ε (classic before, improved after)
        // Test0: (60000, 150, 1.3, 15, 1e-5) → 0.941870567 / 0.7242234026109595, order 19
        // Test1: (100000, 100, 1.0, 30, 1e-7) → 1.70928734 / 1.4154988495444845, order 13
        assertDpSgd(60000, 150, 1.3, 15, 1e-5, 0.941870567, 0.7242234026109595, 19);
        assertDpSgd(100000, 100, 1.0, 30, 1e-7, 1.70928734, 1.4154988495444845, 13);
    }

    @Test
    void extremeFractionalOrderCaseMatchesTensorFlowPrivacy() {
        // TFP-SGD Test2: (1e8, 1024, z=0.1, 10 epochs, δ=1e-7) → ε = 5907984.81339406 (classic) and 5907982.31138195
        // (improved), order 1.25: exercises the fractional series at tiny q and z. Relative 1e-9: the far-tail
        // log-erfc here is computed differently from scipy's log_ndtr.
        RdpAccountant acc = new RdpAccountant(SGD_ORDERS);
        acc.compose(1024.0 / 100_000_000, 0.1, (long) Math.ceil(10 * 100_000_000.0 / 1024));
        Epsilon classic = acc.epsilon(1e-7, Conversion.MIRONOV_2017);
        Epsilon improved = acc.epsilon(1e-7, Conversion.BALLE_2020);
        assertEquals(5907984.81339406, classic.epsilon(), 5907984.8 * 1e-9);
        assertEquals(5907982.31138195, improved.epsilon(), 5907982.3 * 1e-9);
        assertEquals(1.25, improved.order());
    }

    private static void assertDpSgd(int n, int batch, double z, double epochs, double delta,
                                    double classicEps, double improvedEps, double order) {
        RdpAccountant acc = new RdpAccountant(SGD_ORDERS);
        acc.compose((double) batch / n, z, (long) Math.ceil(epochs * n / batch));
        Epsilon classic = acc.epsilon(delta, Conversion.MIRONOV_2017);
        Epsilon improved = acc.epsilon(delta, Conversion.BALLE_2020);
        assertEquals(classicEps, classic.epsilon(), 0.5e-7);
        assertEquals(improvedEps, improved.epsilon(), 0.5e-7);
        assertEquals(order, improved.order());
    }

    @Test
    void mnistTutorialEpsilon() {
        // TFP-MNIST: q = 256/60000, z = 1.1, steps = ceil(60·60000/256) = 14063, δ = 1e-5 → "eps = 3.01"
        // (3 significant digits, classic conversion of the time)
        RdpAccountant acc = new RdpAccountant();
        acc.compose(256.0 / 60000, 1.1, 14063);
        assertEquals(3.01, acc.epsilon(1e-5, Conversion.MIRONOV_2017).epsilon(), 0.005);
        assertTrue(acc.epsilon(1e-5) < 3.01, "the improved conversion is never worse");
    }

    @Test
    void budgetCheckLooksOneRoundAhead() {
        // Prepare: q = 1, z = 10 at the single order 20 gives 0.1 per round; classic term log(1e5)/19 = 0.6059
        // improved: rdp + log(19/20) − log(1e-5·20)/19 = rdp + 0.39697…
        RdpAccountant acc = new RdpAccountant(new double[] {20});
        double offset = Math.log1p(-1.0 / 20) - Math.log(1e-5 * 20) / 19;
        for (int i = 0; i < 5; i++) {
            acc.step(1, 10);
        }
        // Execute / Assert: after 5 rounds ε = 0.5 + offset; a 6th round would give 0.6 + offset
        assertEquals(0.5 + offset, acc.epsilon(1e-5), 1e-12);
        assertTrue(acc.wouldExceed(1, 10, 1e-5, 0.55 + offset));
        assertFalse(acc.wouldExceed(1, 10, 1e-5, 0.65 + offset));
        assertEquals(5, acc.steps(), "wouldExceed must not account the round");
    }

    @Test
    void stateRoundTripsAndRejectsOtherOrders() {
        RdpAccountant acc = new RdpAccountant();
        acc.compose(0.01, 1.1, 100);
        RdpAccountant resumed = new RdpAccountant();
        resumed.restore(acc.state());
        acc.step(0.02, 1.3);
        resumed.step(0.02, 1.3);
        assertArrayEquals(acc.rdp(), resumed.rdp());
        assertEquals(101, resumed.steps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RdpAccountant(new double[] {2, 3}).restore(acc.state()));
        assertTrue(e.getMessage().contains("different Rényi orders"), e.getMessage());
    }

    @Test
    void badInputIsRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SampledGaussianRdp.rdp(1.5, 1, 2))
                .getMessage().contains("sampling rate q"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RdpAccountant(new double[] {1.0}))
                .getMessage().contains("orders must be > 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RdpAccountant().epsilon(0))
                .getMessage().contains("delta"));
    }

    @Test
    void logErfcMatchesKnownValuesIncludingTheUnderflowingTail() {
        // erfc values from Abramowitz & Stegun Table 7.1 to the digits shown (erfc(1) = 0.157299207050285, erfc(3) =
        // 2.20904969985854e-5); far tail from the asymptotic series erfc(x) ~ e^{−x²}/(x√π)·(1 − 1/(2x²) + 3/(4x⁴))
        assertEquals(Math.log(1.0), SampledGaussianRdp.logErfc(0), 1e-15);
        assertEquals(Math.log(0.157299207050285), SampledGaussianRdp.logErfc(1), 1e-13);
        assertEquals(Math.log(2 - 0.157299207050285), SampledGaussianRdp.logErfc(-1), 1e-13);
        assertEquals(Math.log(2.20904969985854e-5), SampledGaussianRdp.logErfc(3), 1e-12);
        double x = 30;
        double x2 = x * x;
        double tail = -x2 - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2));
        assertEquals(tail, SampledGaussianRdp.logErfc(x), 1e-10); // next series term 105/(16x⁸) ≈ 1e-11
    }
}
