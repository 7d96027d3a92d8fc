package io.fedlake.translate;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J native-op and BLAS threads per call, set to the cores a Spark task owns ({@code spark.task.cpus}, 1 by
 * default). An executor runs as many tasks as it has cores, each with its own forward passes or training steps;
 * ND4J defaults to every core per call, so two concurrent tasks on two cores ran four threads. Measured on 1M
 * credit rows, local[2], 2 cores: scan + encode + forward 2.3–2.6 s with 2 threads per call at batch 4,096,
 * 1.4–1.6 s with 1 thread at batch 16,384. A fixed thread count per call also makes training reproducible:
 * libnd4j splits a reduction over the threads it gets, so the float summation order would otherwise depend on
 * how busy the pool is. The setting is per JVM; every task of an executor asks for the same value.
 */
public final class NativeThreads {

    private NativeThreads() {
    }

    public static void perTask(int cpus) {
        int n = Math.max(1, cpus);
        if (Nd4j.getEnvironment().maxThreads() != n) {
            Nd4j.getEnvironment().setMaxThreads(n);
            Nd4j.getEnvironment().setMaxMasterThreads(n);
        }
        if (Nd4j.factory().blas().getMaxThreads() != n) {
            Nd4j.factory().blas().setMaxThreads(n);
        }
    }

    /** For code that runs inside a task: the task's cores; on the driver (no task), one. */
    public static void forCurrentTask() {
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        perTask(task == null ? 1 : task.cpus());
    }
}
