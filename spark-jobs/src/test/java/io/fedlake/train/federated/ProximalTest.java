package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProximalTest {

    @Test
    void stepPullsParametersTowardsTheGlobalOnes() {
        // Prepare
        float[] params = {1f, 2f};
        float[] global = {0f, 4f};
        // Execute: lr·μ = 0.25
        Proximal.step(params, global, 0.25);
        // Assert: 1 − 0.25·(1 − 0) = 0.75; 2 − 0.25·(2 − 4) = 2.5
        assertArrayEquals(new float[] {0.75f, 2.5f}, params, 1e-7f);
    }

    @Test
    void zeroMuLeavesParametersAndFullStepReachesGlobal() {
        float[] params = {1f, 2f};
        Proximal.step(params, new float[] {0f, 4f}, 0.0);
        assertArrayEquals(new float[] {1f, 2f}, params);
        Proximal.step(params, new float[] {0f, 4f}, 1.0);
        assertArrayEquals(new float[] {0f, 4f}, params);
    }

    @Test
    void rejectsAnOvershootingStep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Proximal.step(new float[1], new float[1], 1.5));
        assertTrue(e.getMessage().contains("proximal mu"), e.getMessage());
    }
}
