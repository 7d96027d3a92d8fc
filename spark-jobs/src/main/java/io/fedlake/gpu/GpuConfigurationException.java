package io.fedlake.gpu;

/**
 * A GPU configuration that cannot work (a GPU profile with ND4J's CPU backend, a task given a GPU that ND4J cannot
 * see, more GPUs per task than per executor). Its message is the one line the CLI prints; the job does not start,
 * or its task fails, instead of silently running somewhere other than asked.
 */
public final class GpuConfigurationException extends IllegalStateException {

    public GpuConfigurationException(String message) {
        super(message);
    }
}
