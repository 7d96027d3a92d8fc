package io.fedlake.train.federated;

import java.util.List;

/** The arithmetic of aggregation as pure functions over flat parameter vectors. */
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
}
