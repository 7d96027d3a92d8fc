package io.fedlake.explain;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Integrated gradients (Sundararajan, Taly and Yan, 2017) of a binary output's logit with respect to an image input,
 * against a Gaussian-blurred copy of the image as baseline: a lesion or a defect is a small local deviation, and
 * blurring removes it while keeping the image's overall brightness, so the attribution says which pixels' sharp
 * detail raised the logit. The path integral is a midpoint Riemann sum over {@code steps} images, computed as one
 * batch; the other inputs (clinical values, sensors) stay at the row's own values along the path.
 *
 * <p>Completeness: the attributions sum to logit(image) − logit(baseline), up to the Riemann sum's error, which
 * {@link Attribution#completenessGap()} reports.
 */
public final class IntegratedGradients {

    public static final String METHOD = "integrated-gradients";

    private final LogitGradients gradients;
    private final int imageInput;
    private final int steps;
    private final double blurSigma;

    public IntegratedGradients(LogitGradients gradients, int imageInput, int steps, double blurSigma) {
        if (steps < 2) {
            throw new IllegalArgumentException("integrated gradients need at least 2 steps, got " + steps);
        }
        if (!(blurSigma > 0)) {
            throw new IllegalArgumentException("blur sigma must be > 0, got " + blurSigma);
        }
        this.gradients = gradients;
        this.imageInput = imageInput;
        this.steps = steps;
        this.blurSigma = blurSigma;
    }

    /** What the method and its baseline were, as recorded next to every heatmap. */
    public String baseline() {
        return String.format("gaussian blur, sigma %.1f px; %d steps", blurSigma, steps);
    }

    /**
     * @param attributions per pixel, summed over channels, row-major height × width
     * @param image        the network's image input for the row (channel-summed), for drawing
     */
    public record Attribution(int height, int width, float[] attributions, float[] image, double logit, double baselineLogit,
                              double completenessGap) {
    }

    /** Attributions for row {@code row} of the encoded batch {@code x}. */
    public Attribution explain(INDArray[] x, int row) {
        INDArray image = x[imageInput].get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup();
        int channels = (int) image.size(1);
        int height = (int) image.size(2);
        int width = (int) image.size(3);
        INDArray baseline = blur(image, blurSigma);
        INDArray delta = image.sub(baseline);
        INDArray[] path = new INDArray[x.length];
        for (int i = 0; i < x.length; i++) {
            if (i == imageInput) {
                INDArray alphas = Nd4j.linspace(0.5 / steps, 1 - 0.5 / steps, steps, image.dataType()).reshape(steps, 1, 1, 1);
                path[i] = baseline.repeat(0, steps).addi(delta.repeat(0, steps).muli(alphas.broadcast(steps, channels, height, width)));
            } else {
                path[i] = x[i].get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all()).dup().repeat(0, steps);
            }
        }
        INDArray meanGradient = gradients.gradients(path).gradients().mean(true, 0);
        INDArray perChannel = meanGradient.muli(delta);
        float[] attributions = perChannel.sum(0, 1).reshape(height * width).toFloatVector();
        float[] pixels = image.sum(0, 1).reshape(height * width).toFloatVector();

        INDArray[] ends = new INDArray[x.length];
        for (int i = 0; i < x.length; i++) {
            ends[i] = i == imageInput ? Nd4j.concat(0, image, baseline) : path[i].get(NDArrayIndex.interval(0, 2), NDArrayIndex.all());
        }
        float[] p = gradients.probabilities(ends);
        double logit = logit(p[0]);
        double baselineLogit = logit(p[1]);
        double sum = 0;
        for (float a : attributions) {
            sum += a;
        }
        return new Attribution(height, width, attributions, pixels, logit, baselineLogit, sum - (logit - baselineLogit));
    }

    private static double logit(float p) {
        double q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
        return Math.log(q / (1 - q));
    }

    /** Separable Gaussian blur of a [1, C, H, W] image, edges extended. */
    static INDArray blur(INDArray image, double sigma) {
        int channels = (int) image.size(1);
        int height = (int) image.size(2);
        int width = (int) image.size(3);
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double total = 0;
        for (int k = -radius; k <= radius; k++) {
            kernel[k + radius] = Math.exp(-k * k / (2 * sigma * sigma));
            total += kernel[k + radius];
        }
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] /= total;
        }
        float[] in = image.dup('c').reshape(channels * height * width).toFloatVector();
        float[] tmp = new float[in.length];
        float[] out = new float[in.length];
        for (int c = 0; c < channels; c++) {
            int base = c * height * width;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double s = 0;
                    for (int k = -radius; k <= radius; k++) {
                        s += kernel[k + radius] * in[base + y * width + Math.min(width - 1, Math.max(0, x + k))];
                    }
                    tmp[base + y * width + x] = (float) s;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double s = 0;
                    for (int k = -radius; k <= radius; k++) {
                        s += kernel[k + radius] * tmp[base + Math.min(height - 1, Math.max(0, y + k)) * width + x];
                    }
                    out[base + y * width + x] = (float) s;
                }
            }
        }
        return Nd4j.create(out, new long[]{1, channels, height, width});
    }
}
