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
 * Validation of an encoded image at ingestion: within a byte limit, a PNG or JPEG whose header declares a size
 * within limits (checked before decoding, so a small file claiming a huge canvas — a decompression bomb — is
 * refused without allocating it), decodable to the end, with the expected number of colour channels.
 *
 * @param maxBytes         largest accepted file
 * @param minSide          smallest accepted width and height
 * @param maxSide          largest accepted width and height
 * @param expectedChannels 1 (gray) or 3 (colour); 0 accepts either
 */
public record ImageCheck(long maxBytes, int minSide, int maxSide, int expectedChannels) implements Serializable {

    public ImageCheck {
        if (maxBytes < 1 || minSide < 1 || maxSide < minSide) {
            throw new IllegalArgumentException("need maxBytes ≥ 1 and 1 ≤ minSide ≤ maxSide, got " + maxBytes + ", " + minSide + ", " + maxSide);
        }
        if (expectedChannels != 0 && expectedChannels != 1 && expectedChannels != 3) {
            throw new IllegalArgumentException("expected channels must be 0, 1 or 3, got " + expectedChannels);
        }
    }

    /** What a valid image is: format, size and channels. */
    public record Info(String format, int width, int height, int channels) implements Serializable {
    }

    /** Either the image's info or the reason it is refused. */
    public record Result(Info info, String reason) implements Serializable {
        public boolean ok() {
            return reason == null;
        }
    }

    public Result check(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return new Result(null, "empty file");
        }
        if (bytes.length > maxBytes) {
            return new Result(null, "file is " + bytes.length + " bytes, over the limit of " + maxBytes);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new Result(null, "not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toLowerCase();
                if (!format.equals("png") && !format.equals("jpeg")) {
                    return new Result(null, "unsupported image format " + format + " (PNG or JPEG expected)");
                }
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < minSide || h < minSide || w > maxSide || h > maxSide) {
                    return new Result(null, "image is " + w + "×" + h + ", outside " + minSide + "…" + maxSide + " pixels a side");
                }
                BufferedImage img = reader.read(0);
                int channels = img.getColorModel().getNumColorComponents();
                if (expectedChannels != 0 && channels != expectedChannels) {
                    return new Result(null, "image has " + channels + " channel(s), expected " + expectedChannels);
                }
                return new Result(new Info(format, w, h, channels), null);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new Result(null, "undecodable image: " + m);
        }
    }
}
