package io.fedlake.train.federated;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Privacy accountant for DP-FedAvg by Rényi differential privacy (Mironov 2017, "Rényi Differential Privacy"): keeps
 * the RDP of all rounds so far at a fixed list of orders — RDP composes by addition, so rounds with different
 * sampling rates q and noise multipliers z simply add their vectors ({@link SampledGaussianRdp}) — and converts to
 * an (ε, δ) guarantee on request.
 *
 * <p>Conversion to (ε, δ): by default the improved bound of Balle et al. 2020 ("Hypothesis Testing Interpretations
 * and Renyi Differential Privacy", Proposition 12; also Asoodeh et al. 2020, eq. 20),
 * {@code ε = min_α [ rdp(α) + log((α−1)/α) − (log δ + log α)/(α−1) ]}, used by TensorFlow Privacy since Dec 2020
 * and by Opacus; orders at or below 1.01 are skipped there as numerically unstable, and ε = 0 when
 * δ² ≥ 1 − e^{−rdp} (the KL bound). The classic bound of Mironov 2017, Proposition 3,
 * {@code ε = min_α [ rdp(α) + log(1/δ)/(α−1) ]}, is available as {@link Conversion#MIRONOV_2017}; it is never
 * smaller.
 *
 * <p>Checkpoint with {@link #state()}: the step count, the orders and the RDP vector.
 */
public final class RdpAccountant implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How RDP is turned into (ε, δ). */
    public enum Conversion {
        /** ε = min_α rdp(α) + log(1/δ)/(α−1) (Mironov 2017, Proposition 3). */
        MIRONOV_2017,
        /** ε = min_α rdp(α) + log1p(−1/α) − log(δ·α)/(α−1) (Balle et al. 2020, Proposition 12). */
        BALLE_2020
    }

    /** ε with the order that attains it. */
    public record Epsilon(double epsilon, double order) implements Serializable {
    }

    /**
     * The orders of TensorFlow Privacy's {@code compute_dp_sgd_privacy}: 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4,
     * 4.5, every integer 5…63, and 128, 256, 512.
     */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    private final double[] orders;
    private final double[] rdp;
    private long steps;

    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    public RdpAccountant(double[] orders) {
        if (orders.length == 0) {
            throw new IllegalArgumentException("need at least one Rényi order");
        }
        for (double a : orders) {
            if (!(a > 1)) {
                throw new IllegalArgumentException("Rényi orders must be > 1, got " + a);
            }
        }
        this.orders = orders.clone();
        this.rdp = new double[orders.length];
    }

    /** Accounts one round with sampling rate q and noise multiplier z. */
    public void step(double q, double z) {
        compose(q, z, 1);
    }

    /** Accounts {@code count} rounds with the same q and z. */
    public void compose(double q, double z, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("step count must be ≥ 0, got " + count);
        }
        double[] one = rdpVector(q, z, count, orders);
        for (int i = 0; i < rdp.length; i++) {
            rdp[i] += one[i];
        }
        steps += count;
    }

    /** ε spent so far at {@code delta}, by the Balle et al. 2020 conversion. */
    public double epsilon(double delta) {
        return epsilon(delta, Conversion.BALLE_2020).epsilon();
    }

    public Epsilon epsilon(double delta, Conversion conversion) {
        return epsilon(orders, rdp, delta, conversion);
    }

    /**
     * True when one more round with (q, z) would take ε at {@code delta} above {@code epsilonBudget}, so the engine
     * can stop before spending it. Does not change the accountant.
     */
    public boolean wouldExceed(double q, double z, double delta, double epsilonBudget) {
        double[] next = rdpVector(q, z, 1, orders);
        for (int i = 0; i < next.length; i++) {
            next[i] += rdp[i];
        }
        return epsilon(orders, next, delta, Conversion.BALLE_2020).epsilon() > epsilonBudget;
    }

    public long steps() {
        return steps;
    }

    public double[] orders() {
        return orders.clone();
    }

    public double[] rdp() {
        return rdp.clone();
    }

    /** {@code [steps, orders…, rdp…]}, for a checkpoint. */
    public double[] state() {
        double[] s = new double[1 + 2 * orders.length];
        s[0] = steps;
        System.arraycopy(orders, 0, s, 1, orders.length);
        System.arraycopy(rdp, 0, s, 1 + orders.length, rdp.length);
        return s;
    }

    /** Restores what {@link #state()} returned; the checkpoint must have been taken with the same orders. */
    public void restore(double[] state) {
        if (state.length != 1 + 2 * orders.length
                || !Arrays.equals(Arrays.copyOfRange(state, 1, 1 + orders.length), orders)) {
            throw new IllegalArgumentException("privacy accountant checkpoint was taken with different Rényi orders ("
                    + state.length + " values, expected " + (1 + 2 * orders.length) + " for " + orders.length + " orders)");
        }
        steps = (long) state[0];
        System.arraycopy(state, 1 + orders.length, rdp, 0, rdp.length);
    }

    /** RDP of {@code steps} rounds of the Sampled Gaussian Mechanism at each order. */
    public static double[] rdpVector(double q, double z, long steps, double[] orders) {
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            out[i] = steps == 0 ? 0 : SampledGaussianRdp.rdp(q, z, orders[i]) * steps;
        }
        return out;
    }

    /** The smallest ε over the orders at which {@code rdp} was computed, for target {@code delta}. */
    public static Epsilon epsilon(double[] orders, double[] rdp, double delta, Conversion conversion) {
        if (orders.length != rdp.length || orders.length == 0) {
            throw new IllegalArgumentException("orders and RDP values must be non-empty and of equal length, got "
                    + orders.length + " and " + rdp.length);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = orders[0];
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double r = rdp[i];
            if (!(r >= 0)) {
                throw new IllegalArgumentException("RDP values must be ≥ 0, got " + r + " at order " + a);
            }
            double eps = switch (conversion) {
                case MIRONOV_2017 -> r - Math.log(delta) / (a - 1);
                case BALLE_2020 -> {
                    if (delta * delta + Math.expm1(-r) >= 0) {
                        yield 0; // the KL bound δ ≤ √(1 − e^{−rdp}) already holds
                    }
                    yield a > 1.01 ? r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1) : Double.POSITIVE_INFINITY;
                }
            };
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new Epsilon(Math.max(0, best), bestOrder);
    }

    private static double[] defaultOrders() {
        double[] head = {1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5};
        double[] out = new double[head.length + 59 + 3];
        System.arraycopy(head, 0, out, 0, head.length);
        for (int k = 5; k < 64; k++) {
            out[head.length + k - 5] = k;
        }
        out[out.length - 3] = 128;
        out[out.length - 2] = 256;
        out[out.length - 1] = 512;
        return out;
    }
}
