package io.fedlake.zoo.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageCheckTest {

    private final ImageCheck check = new ImageCheck(50_000, 8, 256, 1);

    private static byte[] png(int w, int h, int type) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, type), "png", out);
        return out.toByteArray();
    }

    @Test
    void aValidGrayPngIsDescribed() throws IOException {
        ImageCheck.Result r = check.check(png(64, 32, BufferedImage.TYPE_BYTE_GRAY));
        assertTrue(r.ok(), r.reason());
        assertEquals(new ImageCheck.Info("png", 64, 32, 1), r.info());
    }

    @Test
    void everyKindOfBadFileHasAReason() throws IOException {
        assertEquals("empty file", check.check(new byte[0]).reason());
        assertEquals("not a PNG or JPEG image", check.check("GIF? no, text".getBytes()).reason());
        assertEquals("image has 3 channel(s), expected 1", check.check(png(16, 16, BufferedImage.TYPE_INT_RGB)).reason());
        assertEquals("image is 300×16, outside 8…256 pixels a side", check.check(png(300, 16, BufferedImage.TYPE_BYTE_GRAY)).reason());
        assertEquals("file is 60000 bytes, over the limit of 50000", check.check(new byte[60_000]).reason());
        byte[] ok = png(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        assertTrue(check.check(Arrays.copyOf(ok, 45)).reason().startsWith("undecodable image"));
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() throws IOException {
        // A tiny file whose header claims 20000×20000 pixels (1.6 GB as ints): refused by the size check on the header,
        // before any pixel is decoded. The header stays well-formed (its CRC is recomputed), so only the size can refuse it.
        byte[] bomb = png(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        // IHDR width/height are the big-endian ints at bytes 16..23; the chunk's CRC covers type + data, bytes 12..28
        for (int i = 16; i < 24; i += 4) {
            bomb[i] = 0;
            bomb[i + 1] = 0;
            bomb[i + 2] = (byte) (20_000 >> 8);
            bomb[i + 3] = (byte) (20_000 & 0xFF);
        }
        CRC32 crc = new CRC32();
        crc.update(bomb, 12, 17);
        for (int k = 0; k < 4; k++) {
            bomb[29 + k] = (byte) (crc.getValue() >>> (24 - 8 * k));
        }
        assertEquals("image is 20000×20000, outside 8…256 pixels a side", check.check(bomb).reason());
    }
}
