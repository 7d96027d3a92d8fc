package io.fedlake.generate;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A small grayscale image in [0, 1] with the drawing primitives the synthetic generators need, encoded as 8-bit PNG. */
final class GrayCanvas {

    final int width;
    final int height;
    final float[] pixels;
    /** Where a planted finding (lesion, defect) was drawn; null when nobody asked. */
    private final boolean[] mask;

    GrayCanvas(int width, int height, float fill) {
        this(width, height, fill, false);
    }

    /** With {@code masked}, the pixels the {@code planted…} primitives draw are recorded in {@link #mask()}. */
    GrayCanvas(int width, int height, float fill, boolean masked) {
        this.width = width;
        this.height = height;
        this.pixels = new float[width * height];
        this.mask = masked ? new boolean[width * height] : null;
        java.util.Arrays.fill(pixels, fill);
    }

    boolean[] mask() {
        if (mask == null) {
            throw new IllegalStateException("this canvas records no mask");
        }
        return mask;
    }

    void add(int x, int y, double v) {
        if (x >= 0 && y >= 0 && x < width && y < height) {
            pixels[y * width + x] += (float) v;
        }
    }

    /** Adds a Gaussian bump of peak {@code amplitude} (negative darkens). */
    void gaussian(double cx, double cy, double sigma, double amplitude) {
        int r = (int) Math.ceil(3 * sigma);
        double inv = 1.0 / (2 * sigma * sigma);
        for (int y = Math.max(0, (int) cy - r); y <= Math.min(height - 1, (int) cy + r); y++) {
            for (int x = Math.max(0, (int) cx - r); x <= Math.min(width - 1, (int) cx + r); x++) {
                double dx = x - cx;
                double dy = y - cy;
                pixels[y * width + x] += (float) (amplitude * Math.exp(-(dx * dx + dy * dy) * inv));
            }
        }
    }

    /**
     * Adds an irregular blob: radius varies with angle as r·(1 + wobble·sin(lobes·θ + phase)), with a soft edge
     * about one pixel wide.
     */
    void blob(double cx, double cy, double radius, double wobble, int lobes, double phase, double amplitude) {
        blob(cx, cy, radius, wobble, lobes, phase, amplitude, false);
    }

    /** A blob that is a planted finding: its pixels at least half inside the edge go into the mask. */
    void plantedBlob(double cx, double cy, double radius, double wobble, int lobes, double phase, double amplitude) {
        blob(cx, cy, radius, wobble, lobes, phase, amplitude, true);
    }

    private void blob(double cx, double cy, double radius, double wobble, int lobes, double phase, double amplitude, boolean planted) {
        int r = (int) Math.ceil(radius * (1 + wobble) + 2);
        for (int y = Math.max(0, (int) cy - r); y <= Math.min(height - 1, (int) cy + r); y++) {
            for (int x = Math.max(0, (int) cx - r); x <= Math.min(width - 1, (int) cx + r); x++) {
                double dx = x - cx;
                double dy = y - cy;
                double edge = radius * (1 + wobble * Math.sin(lobes * Math.atan2(dy, dx) + phase));
                double inside = RowRandom.sigmoid((edge - Math.sqrt(dx * dx + dy * dy)) * 2.5);
                pixels[y * width + x] += (float) (amplitude * inside);
                if (planted && mask != null && inside >= 0.5) {
                    mask[y * width + x] = true;
                }
            }
        }
    }

    /** Adds an anti-aliased line segment of the given half-width; overlapping samples along the stroke do not stack up. */
    void line(double x0, double y0, double x1, double y1, double halfWidth, double amplitude) {
        line(x0, y0, x1, y1, halfWidth, amplitude, false);
    }

    /** A line that is a planted finding: every pixel of its stroke goes into the mask. */
    void plantedLine(double x0, double y0, double x1, double y1, double halfWidth, double amplitude) {
        line(x0, y0, x1, y1, halfWidth, amplitude, true);
    }

    private void line(double x0, double y0, double x1, double y1, double halfWidth, double amplitude, boolean planted) {
        float[] stroke = new float[pixels.length];
        double len = Math.hypot(x1 - x0, y1 - y0);
        int steps = Math.max(1, (int) Math.ceil(len * 2));
        int r = (int) Math.ceil(halfWidth + 1);
        for (int s = 0; s <= steps; s++) {
            double t = (double) s / steps;
            double px = x0 + t * (x1 - x0);
            double py = y0 + t * (y1 - y0);
            for (int y = (int) py - r; y <= (int) py + r; y++) {
                for (int x = (int) px - r; x <= (int) px + r; x++) {
                    double d = Math.hypot(x - px, y - py);
                    if (d <= halfWidth + 0.5 && x >= 0 && y >= 0 && x < width && y < height) {
                        float v = (float) (amplitude * Math.min(1, halfWidth + 1 - d));
                        int i = y * width + x;
                        if (Math.abs(v) > Math.abs(stroke[i])) {
                            stroke[i] = v;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] += stroke[i];
            if (planted && mask != null && stroke[i] != 0) {
                mask[i] = true;
            }
        }
    }

    void noise(RowRandom r, double sd) {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] += (float) (sd * r.gaussian());
        }
    }

    /** Applies a scanner/camera response: gain and bias, then clamps to [0, 1]. */
    void response(double gain, double bias) {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) RowRandom.clamp(bias + gain * pixels[i], 0, 1);
        }
    }

    byte[] toPng() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            data[i] = (byte) Math.round(RowRandom.clamp(pixels[i], 0, 1) * 255);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height);
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
