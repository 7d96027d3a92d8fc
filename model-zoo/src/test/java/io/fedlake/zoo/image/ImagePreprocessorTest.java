package io.fedlake.zoo.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePreprocessorTest {

    private final ImagePreprocessor pre = new ImagePreprocessor("image", 1, 8, 8, 10_000);

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void grayPngPixelsAreScaledToUnitIntervalWithoutGammaShift() throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(3, 2, 0, 51);
        img.getRaster().setSample(7, 7, 0, 255);
        float[] out = new float[64];

        assertNull(pre.decode(encode(img, "png"), out, 0));

        assertEquals(0.2f, out[2 * 8 + 3], 1e-6f);
        assertEquals(1f, out[63], 1e-6f);
        assertEquals(0f, out[0], 1e-6f);
    }

    @Test
    void colourJpegBecomesLuma() throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, 0x808080);
            }
        }
        float[] out = new float[64];
        assertNull(pre.decode(encode(img, "jpg"), out, 0));
        assertEquals(128 / 255f, out[20], 0.02f);
    }

    @Test
    void badImagesGetReasons() throws IOException {
        assertEquals("missing image", pre.decode(null, new float[64], 0));
        assertEquals("undecodable image: not a PNG or JPEG", pre.decode("hello".getBytes(), new float[64], 0));
        assertEquals("image is 16×8, expected 8×8", pre.decode(encode(new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY), "png"), new float[64], 0));
        assertEquals("image is 20000 bytes, over the limit of 10000", pre.decode(new byte[20_000], new float[64], 0));
        byte[] png = encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png");
        String truncated = pre.decode(java.util.Arrays.copyOf(png, 40), new float[64], 0);
        assertTrue(truncated.startsWith("undecodable image"), truncated);
    }
}
