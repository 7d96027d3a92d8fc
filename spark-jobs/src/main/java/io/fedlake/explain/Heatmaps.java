package io.fedlake.explain;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Draws an attribution as a PNG a reviewer can read: the image as the network saw it (rescaled to its own range) on
 * the left, the same image with the positive attributions — the pixels that raised the score — overlaid in a
 * red-to-yellow ramp on the right. The ramp saturates at the 99.5th percentile of the positive attributions, so a
 * single extreme pixel does not wash out the rest.
 */
public final class Heatmaps {

    static final int SCALE = 3;
    private static final int GAP = 4;
    /** Attributions below this share of the cap are not drawn: they are the noise floor, not where the score came from. */
    private static final float FLOOR = 0.08f;

    private Heatmaps() {
    }

    public static byte[] overlay(IntegratedGradients.Attribution a) {
        int w = a.width() * SCALE;
        int h = a.height() * SCALE;
        BufferedImage base = gray(a);
        BufferedImage heat = new BufferedImage(a.width(), a.height(), BufferedImage.TYPE_INT_ARGB);
        float cap = positivePercentile(a.attributions(), 0.995);
        for (int i = 0; i < a.attributions().length; i++) {
            float v = cap > 0 ? Math.min(1f, Math.max(0f, a.attributions()[i] / cap)) : 0f;
            if (v >= FLOOR) {
                // red at low attribution, through orange to yellow at the cap; opacity rises with it
                Color c = new Color(1f, Math.min(1f, v * 1.2f), 0f, Math.min(0.85f, 0.9f * v));
                heat.setRGB(i % a.width(), i / a.width(), c.getRGB());
            }
        }
        BufferedImage out = new BufferedImage(2 * w + GAP, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(base, 0, 0, w, h, null);
            g.drawImage(base, w + GAP, 0, w, h, null);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(heat, w + GAP, 0, w, h, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static BufferedImage gray(IntegratedGradients.Attribution a) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : a.image()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float range = hi > lo ? hi - lo : 1f;
        BufferedImage img = new BufferedImage(a.width(), a.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < a.image().length; i++) {
            int v = Math.round(255 * (a.image()[i] - lo) / range);
            img.getRaster().setSample(i % a.width(), i / a.width(), 0, v);
        }
        return img;
    }

    /** The q-quantile of the positive values (0 when none is positive). */
    static float positivePercentile(float[] values, double q) {
        float[] pos = new float[values.length];
        int n = 0;
        for (float v : values) {
            if (v > 0) {
                pos[n++] = v;
            }
        }
        if (n == 0) {
            return 0f;
        }
        Arrays.sort(pos, 0, n);
        return pos[Math.min(n - 1, (int) Math.floor(q * (n - 1)))];
    }
}
