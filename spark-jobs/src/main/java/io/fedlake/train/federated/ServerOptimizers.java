package io.fedlake.train.federated;

/**
 * Server-side optimisers that treat the aggregated client delta Δ̄ as a pseudo-gradient step (Reddi et al. 2021,
 * "Adaptive Federated Optimization", §2: the server update is {@code ServerOpt(w, −Δ̄, η)}). Pure functions: the
 * optimiser state arrays are updated in place and owned by the calling strategy, the new parameters are returned
 * as a new array.
 */
public final class ServerOptimizers {

    private ServerOptimizers() {
    }

    /**
     * Server momentum (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution for Federated
     * Visual Classification", FedAvgM): {@code v ← β·v + Δ̄; w ← w + η·v}.
     *
     * @param velocity momentum buffer v, updated in place
     * @return the new parameters
     */
    public static float[] momentum(float[] global, float[] velocity, float[] meanDelta, double learningRate, double beta) {
        checkLengths(global, meanDelta, velocity);
        float[] out = new float[global.length];
        for (int i = 0; i < out.length; i++) {
            double v = beta * velocity[i] + meanDelta[i];
            velocity[i] = (float) v;
            out[i] = (float) (global[i] + learningRate * v);
        }
        return out;
    }

    /**
     * FedAdam (Reddi et al. 2021, Algorithm 2, Adam branch):
     * {@code m ← β1·m + (1−β1)·Δ̄; v ← β2·v + (1−β2)·Δ̄²; w ← w + η·m/(√v + τ)}. As in the paper there is no bias
     * correction; τ controls the degree of adaptivity.
     *
     * @param firstMoment  m, updated in place
     * @param secondMoment v, updated in place
     * @return the new parameters
     */
    public static float[] adam(float[] global, float[] firstMoment, float[] secondMoment, float[] meanDelta,
                               double learningRate, double beta1, double beta2, double tau) {
        checkLengths(global, meanDelta, firstMoment);
        checkLengths(global, meanDelta, secondMoment);
        float[] out = new float[global.length];
        for (int i = 0; i < out.length; i++) {
            double d = meanDelta[i];
            double m = beta1 * firstMoment[i] + (1 - beta1) * d;
            double v = beta2 * secondMoment[i] + (1 - beta2) * d * d;
            firstMoment[i] = (float) m;
            secondMoment[i] = (float) v;
            out[i] = (float) (global[i] + learningRate * m / (Math.sqrt(v) + tau));
        }
        return out;
    }

    private static void checkLengths(float[] global, float[] delta, float[] buffer) {
        if (global.length != delta.length || global.length != buffer.length) {
            throw new IllegalArgumentException("parameter lengths differ: global " + global.length + ", delta " + delta.length
                    + ", optimiser state " + buffer.length);
        }
    }
}
