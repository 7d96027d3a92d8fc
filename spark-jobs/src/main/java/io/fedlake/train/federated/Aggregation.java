package io.fedlake.train.federated;

import java.util.Arrays;
import java.util.List;

/**
 * The arithmetic of aggregation as pure functions over flat parameter vectors. The robust aggregates (coordinate-wise
 * median and trimmed mean) follow Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates"; clipping to an L2 ball is the client step of DP-FedAvg (McMahan et al. 2018).
 */
public final class Aggregation {

    private Aggregation() {
    }

    /**
     * Example-weighted mean of the client deltas, Σ n_k Δ_k / Σ n_k (McMahan et al. 2017, eq. for FedAvg's server
     * update). Accumulates in double, in list order.
     *
     * @return the mean delta, or null when the total weight is 0
     */
    public static float[] weightedMeanDelta(List<ClientUpdate> updates) {
        if (updates.isEmpty()) {
            return null;
        }
        int n = updates.get(0).delta().length;
        double[] sum = new double[n];
        double total = 0;
        for (ClientUpdate u : updates) {
            if (u.delta().length != n) {
                throw new IllegalArgumentException("client " + u.clientId() + " sent " + u.delta().length + " parameters, expected " + n);
            }
            double w = u.examples();
            total += w;
            float[] d = u.delta();
            for (int i = 0; i < n; i++) {
                sum[i] += w * d[i];
            }
        }
        if (total == 0) {
            return null;
        }
        float[] mean = new float[n];
        for (int i = 0; i < n; i++) {
            mean[i] = (float) (sum[i] / total);
        }
        return mean;
    }

    /** {@code global + scale · delta}, as a new array. */
    public static float[] add(float[] global, float[] delta, double scale) {
        if (global.length != delta.length) {
            throw new IllegalArgumentException("parameter lengths differ: " + global.length + " vs " + delta.length);
        }
        float[] out = new float[global.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (global[i] + scale * delta[i]);
        }
        return out;
    }

    /**
     * Coordinate-wise median of the rows (Yin et al. 2018, median-based gradient descent): unweighted,
     * the middle value of each coordinate, and the mean of the two middle values when the number of rows is even
     * (as numpy's {@code median}, which Flower's {@code FedMedian} uses).
     *
     * @param rows one vector per client, all the same length; at least one
     */
    public static float[] coordinateMedian(float[][] rows) {
        return perCoordinate(rows, column -> {
            int m = column.length;
            return m % 2 == 1 ? column[m / 2] : ((double) column[m / 2 - 1] + column[m / 2]) / 2;
        });
    }

    /** Applies {@code statistic} to every coordinate's values across the rows, sorted ascending. */
    private static float[] perCoordinate(float[][] rows, java.util.function.ToDoubleFunction<float[]> statistic) {
        int n = checkRows(rows);
        float[] out = new float[n];
        float[] column = new float[rows.length];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < rows.length; k++) {
                column[k] = rows[k][i];
            }
            Arrays.sort(column);
            out[i] = (float) statistic.applyAsDouble(column);
        }
        return out;
    }

    /**
     * Coordinate-wise β-trimmed mean (Yin et al. 2018, Definition 2): per coordinate, drop the
     * {@code floor(β·m)} smallest and as many largest of the m values and average the rest, unweighted. β = 0 is the
     * plain mean.
     *
     * @param beta trimmed fraction per side, in [0, 0.5) so that at least one value remains
     */
    public static float[] trimmedMean(float[][] rows, double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("trim beta must be in [0, 0.5), got " + beta);
        }
        return perCoordinate(rows, column -> {
            int m = column.length;
            int trim = trimCount(m, beta);
            double sum = 0;
            for (int k = trim; k < m - trim; k++) {
                sum += column[k];
            }
            return sum / (m - 2 * trim);
        });
    }

    /** Values dropped from each side by {@link #trimmedMean}: {@code floor(β·m)}. */
    public static int trimCount(int m, double beta) {
        return (int) Math.floor(beta * m + 1e-12);
    }

    /** Euclidean norm, accumulated in double. */
    public static double l2Norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /**
     * Projection onto the L2 ball of radius {@code maxNorm}: {@code v · min(1, C/‖v‖)}. Returns {@code v} itself when
     * it is already inside the ball (callers must not modify the result in place), otherwise a scaled copy.
     */
    public static float[] clipToNorm(float[] v, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clip norm must be a finite number > 0, got " + maxNorm);
        }
        double norm = l2Norm(v);
        if (norm <= maxNorm) {
            return v;
        }
        double scale = maxNorm / norm;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * scale);
        }
        return out;
    }

    /** The updates' delta vectors as rows (not copied), for the unweighted robust aggregates. */
    public static float[][] deltaRows(List<ClientUpdate> updates) {
        float[][] rows = new float[updates.size()][];
        for (int k = 0; k < rows.length; k++) {
            rows[k] = updates.get(k).delta();
        }
        return rows;
    }

    private static int checkRows(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("need at least one client vector to aggregate");
        }
        int n = rows[0].length;
        for (int k = 1; k < rows.length; k++) {
            if (rows[k].length != n) {
                throw new IllegalArgumentException("client vector " + k + " has " + rows[k].length + " parameters, expected " + n);
            }
        }
        return n;
    }
}
