package io.fedlake.zoo.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;

/**
 * Decodes and validates an encoded image (PNG or JPEG) into network input: {@code channels} planes of
 * {@code height}×{@code width} floats in [0, 1] (pixel / 255; grayscale by ITU-R BT.601 luma when one channel).
 * The header is read before any pixel is decoded, so oversize files and decompression bombs are refused cheaply.
 * Saved with the model so scoring decodes exactly as training did.
 *
 * @param column      binary column holding the encoded image
 * @param maxBytes    largest accepted encoded size
 * @param standardize whether each image is then shifted and scaled to zero mean and unit variance (per image), which
 *                    makes small local deviations — scratches on a bright surface — stand out regardless of lighting
 */
public record ImagePreprocessor(String column, int channels, int height, int width, long maxBytes, boolean standardize) implements Serializable {

    public ImagePreprocessor {
        if (column == null || column.isBlank()) {
            throw new IllegalArgumentException("image column must not be blank");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height < 8 || width < 8 || height > 4096 || width > 4096) {
            throw new IllegalArgumentException("image size must be within 8…4096 pixels a side, got " + height + "×" + width);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be ≥ 1, got " + maxBytes);
        }
    }

    /** Unit-interval pixels, no per-image standardisation. */
    public ImagePreprocessor(String column, int channels, int height, int width, long maxBytes) {
        this(column, channels, height, width, maxBytes, false);
    }

    /** Floats one image occupies in the input buffer. */
    public int size() {
        return channels * height * width;
    }

    /**
     * Writes one image into {@code out[offset, offset + size())} in CHW order.
     *
     * @return null when decoded, otherwise a one-line reason (missing, too large, undecodable, wrong dimensions)
     */
    public String decode(byte[] encoded, float[] out, int offset) {
        String reason = decodeUnit(encoded, out, offset);
        if (reason == null && standardize) {
            int n = size();
            double sum = 0;
            double sq = 0;
            for (int i = offset; i < offset + n; i++) {
                sum += out[i];
                sq += (double) out[i] * out[i];
            }
            double mean = sum / n;
            double std = Math.sqrt(Math.max(sq / n - mean * mean, 0)) + 1e-3;
            for (int i = offset; i < offset + n; i++) {
                out[i] = (float) ((out[i] - mean) / std);
            }
        }
        return reason;
    }

    private String decodeUnit(byte[] encoded, float[] out, int offset) {
        if (encoded == null || encoded.length == 0) {
            return "missing image";
        }
        if (encoded.length > maxBytes) {
            return "image is " + encoded.length + " bytes, over the limit of " + maxBytes;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return "undecodable image: not a PNG or JPEG";
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w != width || h != height) {
                    return "image is " + w + "×" + h + ", expected " + width + "×" + height;
                }
                BufferedImage img = reader.read(0);
                int plane = height * width;
                java.awt.image.WritableRaster raster = img.getRaster();
                if (img.getColorModel().getNumColorComponents() == 1) {
                    // Gray images: read samples directly; getRGB would push them through a gamma conversion.
                    float scale = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            float v = raster.getSample(x, y, 0) / scale;
                            for (int c = 0; c < channels; c++) {
                                out[offset + c * plane + y * width + x] = v;
                            }
                        }
                    }
                    return null;
                }
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int rgb = img.getRGB(x, y);
                        int r = (rgb >> 16) & 0xFF;
                        int g = (rgb >> 8) & 0xFF;
                        int b = rgb & 0xFF;
                        int i = y * width + x;
                        if (channels == 1) {
                            out[offset + i] = (float) ((0.299 * r + 0.587 * g + 0.114 * b) / 255.0);
                        } else {
                            out[offset + i] = r / 255f;
                            out[offset + plane + i] = g / 255f;
                            out[offset + 2 * plane + i] = b / 255f;
                        }
                    }
                }
                return null;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return "undecodable image: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
