package io.fedlake.gpu;

import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.ModelSpec;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceMemoryTest {

    private static final ModelSpec.Output FINDING = new ModelSpec.Output("finding", "finding", List.of("0", "1"));
    private static final ModelSpec.Dense CLINICAL = new ModelSpec.Dense("numeric", 5);
    private static final ModelSpec.Categorical SEX = new ModelSpec.Categorical("cat_sex", 3);
    private static final ModelSpec.Image IMAGE = new ModelSpec.Image("image", 1, 64, 64);

    /** Inputs as the translator encodes them, with no rows: an embedding's input is one index column. */
    private static INDArray[] empty(long... widths) {
        INDArray[] x = new INDArray[widths.length];
        for (int i = 0; i < widths.length; i++) {
            x[i] = widths[i] < 0 ? Nd4j.create(DataType.FLOAT, 0, 1, 64, 64) : Nd4j.create(DataType.FLOAT, 0, widths[i]);
        }
        return x;
    }

    @Test
    void anImageNetworkNeedsFarMorePerRowThanATabularOneAndTrainingMoreThanInference() {
        ComputationGraph credit = Architectures.byName("credit-mlp").build(new ModelSpec(List.of(CLINICAL, SEX), List.of(FINDING)),
                ModelHyperParams.creditDefaults(4));
        ComputationGraph imaging = Architectures.byName("imaging-fusion").build(new ModelSpec(List.of(CLINICAL, SEX, IMAGE), List.of(FINDING)),
                ModelHyperParams.imageDefaults(1));
        DeviceMemory.Need creditInference = DeviceMemory.need(credit.getConfiguration(), empty(5, 1), MemoryUseMode.INFERENCE);
        DeviceMemory.Need imagingInference = DeviceMemory.need(imaging.getConfiguration(), empty(5, 1, -1), MemoryUseMode.INFERENCE);
        DeviceMemory.Need imagingTraining = DeviceMemory.need(imaging.getConfiguration(), empty(5, 1, -1), MemoryUseMode.TRAINING);

        // the parameters are part of the fixed need: at least 4 bytes per float parameter
        assertTrue(imagingInference.fixedBytes() >= 4 * imaging.numParams(), imagingInference + " vs " + imaging.numParams() + " parameters");
        // a 64×64 image row carries at least its own 16 KiB of input and its first convolution's activations
        assertTrue(imagingInference.perRowBytes() > 10 * creditInference.perRowBytes(), imagingInference + " vs " + creditInference);
        assertTrue(imagingInference.perRowBytes() >= 64 * 64 * 4, imagingInference.toString());
        assertTrue(imagingTraining.perRowBytes() > imagingInference.perRowBytes(), imagingTraining + " vs " + imagingInference);
        // DL4J's report is affine only past small batches, so the split into fixed and per-row parts differs between
        // the modes; what must hold is that training (gradients, updater state) needs more at every batch size
        assertTrue(imagingTraining.fixedBytes() >= 4 * imaging.numParams(), imagingTraining + " vs " + imaging.numParams() + " parameters");
        for (long rows : new long[] {1, 64, 4096}) {
            assertTrue(imagingTraining.bytes(rows) > imagingInference.bytes(rows), rows + " rows: " + imagingTraining + " vs " + imagingInference);
        }
    }

    @Test
    void anInferenceBatchThatFitsIsKeptAndOneThatDoesNotShrinksToWhatFits() {
        DeviceMemory.Need need = new DeviceMemory.Need(100L << 20, 1L << 20, "inference");   // 100 MiB + 1 MiB a row
        assertEquals(4096, DeviceMemory.inferenceBatch(need, 4096, 8L << 30, 0.8, "GPU 0"));
        // 0.8 × 1 GiB = 819.2 MiB; minus 100 MiB leaves 719 whole rows
        assertEquals(719, DeviceMemory.inferenceBatch(need, 4096, 1L << 30, 0.8, "GPU 0"));
        GpuConfigurationException e = assertThrows(GpuConfigurationException.class,
                () -> DeviceMemory.inferenceBatch(need, 4096, 100L << 20, 0.8, "GPU 1"));
        assertEquals("the model needs 100.0 MiB for its parameters and 1.0 MiB per row for inference, but GPU 1 has 100.0 MiB free "
                + "(80% of it usable, spark.fedlake.gpu.memoryFraction): free the GPU or give the task a whole one", e.getMessage());
    }

    @Test
    void aTrainingBatchThatDoesNotFitIsRefusedWithTheLargestThatWould() {
        DeviceMemory.Need need = new DeviceMemory.Need(100L << 20, 1L << 20, "training");
        DeviceMemory.checkTrainingBatch(need, 719, 1L << 30, 0.8, "GPU 0");
        GpuConfigurationException e = assertThrows(GpuConfigurationException.class,
                () -> DeviceMemory.checkTrainingBatch(need, 720, 1L << 30, 0.8, "GPU 0 (simulated)"));
        assertEquals("a training batch of 720 rows needs 820.0 MiB on GPU 0 (simulated), which has 1.0 GiB free (80% of it usable, "
                + "spark.fedlake.gpu.memoryFraction): use --batch-size 719 or less", e.getMessage());
    }

    @Test
    void aTaskWithoutAGpuIsNeverSizedNorIsItsNeedComputed() {
        DeviceBinding.Binding cpu = DeviceBinding.decide(1, 0, new String[0], 0, "CPU", 0, false);
        assertEquals(-1, DeviceMemory.freeBytes(cpu));
        assertEquals(16384, DeviceMemory.inferenceBatch(cpu, () -> {
            throw new AssertionError("no need is computed without a GPU");
        }, 16384));
        DeviceMemory.checkTrainingBatch(cpu, () -> {
            throw new AssertionError("no need is computed without a GPU");
        }, 1 << 20);
    }
}
