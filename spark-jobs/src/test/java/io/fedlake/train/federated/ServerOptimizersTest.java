package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ServerOptimizersTest {

    @Test
    void momentumAccumulatesVelocityThenSteps() {
        // Prepare
        float[] global = {1f, 2f};
        float[] velocity = {0.5f, -1f};
        float[] delta = {0.1f, 0.2f};
        // Execute: β = 0.9, η = 1
        float[] next = ServerOptimizers.momentum(global, velocity, delta, 1.0, 0.9);
        // Assert: v = 0.9·(0.5, −1) + (0.1, 0.2) = (0.55, −0.7); w = (1.55, 1.3)
        assertArrayEquals(new float[] {0.55f, -0.7f}, velocity, 1e-6f);
        assertArrayEquals(new float[] {1.55f, 1.3f}, next, 1e-6f);
        assertArrayEquals(new float[] {1f, 2f}, global, "global must not be modified");
    }

    @Test
    void adamFirstStepFromZeroMoments() {
        // Prepare: β1 = 0.9, β2 = 0.99, τ = 1e-3, η = 0.01, Δ̄ = (0.1, −0.1)
        float[] m = new float[2];
        float[] v = new float[2];
        // Execute
        float[] next = ServerOptimizers.adam(new float[] {0f, 1f}, m, v, new float[] {0.1f, -0.1f}, 0.01, 0.9, 0.99, 1e-3);
        // Assert: m = 0.1·Δ̄ = ±0.01; v = 0.01·Δ̄² = 1e-4; step = η·m/(√v + τ) = 0.01·0.01/(0.01 + 0.001) = 0.0001/0.011
        assertArrayEquals(new float[] {0.01f, -0.01f}, m, 1e-7f);
        assertArrayEquals(new float[] {1e-4f, 1e-4f}, v, 1e-9f);
        assertArrayEquals(new float[] {0.0001f / 0.011f, 1f - 0.0001f / 0.011f}, next, 1e-6f);
    }

    @Test
    void adamSecondStepUsesTheDecayedMoments() {
        float[] m = {0.01f};
        float[] v = {1e-4f};
        float[] next = ServerOptimizers.adam(new float[] {0f}, m, v, new float[] {0.1f}, 0.01, 0.9, 0.99, 1e-3);
        // m = 0.9·0.01 + 0.1·0.1 = 0.019; v = 0.99·1e-4 + 0.01·0.01 = 1.99e-4; w = 0.01·0.019/(√1.99e-4 + 1e-3)
        assertArrayEquals(new float[] {0.019f}, m, 1e-7f);
        assertArrayEquals(new float[] {1.99e-4f}, v, 1e-9f);
        assertArrayEquals(new float[] {(float) (0.01 * 0.019 / (Math.sqrt(1.99e-4) + 1e-3))}, next, 1e-6f);
    }
}
