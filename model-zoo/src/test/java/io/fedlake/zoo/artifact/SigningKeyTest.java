package io.fedlake.zoo.artifact;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningKeyTest {

    static final String HEX = "0b".repeat(32);

    /** The JDK's HmacSHA256 is what signs; a changed message or a missing signature does not verify. */
    @Test
    void signsWithHmacSha256AndVerifiesInConstantTime() throws Exception {
        SigningKey k = SigningKey.parse(HEX);
        byte[] msg = "Hi There".getBytes(StandardCharsets.US_ASCII);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(java.util.HexFormat.of().parseHex(HEX), "HmacSHA256"));
        assertEquals(java.util.HexFormat.of().formatHex(mac.doFinal(msg)), k.sign(msg));
        assertTrue(k.verifies(msg, k.sign(msg)));
        assertFalse(k.verifies("Hi there".getBytes(StandardCharsets.US_ASCII), k.sign(msg)));
        assertFalse(k.verifies(msg, null));
        assertNotEquals(k.id(), SigningKey.parse("0c".repeat(32)).id());
    }

    @Test
    void theKeyIsHexBase64OrAFileHoldingEither(@TempDir Path dir) throws IOException {
        byte[] raw = java.util.HexFormat.of().parseHex(HEX);
        String b64 = "base64:" + Base64.getEncoder().encodeToString(raw);
        Path file = Files.writeString(dir.resolve("signing.key"), "  " + HEX + "\n");
        Path b64File = Files.writeString(dir.resolve("b64.key"), b64 + "\n");
        String id = SigningKey.of(raw).id();
        assertEquals(id, SigningKey.parse(HEX).id());
        assertEquals(id, SigningKey.parse(b64).id());
        assertEquals(id, SigningKey.parse(file.toString()).id());
        assertEquals(id, SigningKey.parse(file.toUri().toString()).id());
        assertEquals(id, SigningKey.parse(b64File.toString()).id());
    }

    @Test
    void badKeysAreExplainedInOneLine(@TempDir Path dir) throws IOException {
        assertEquals("FEDLAKE_SIGNING_KEY: the key must be at least 32 bytes, got 16",
                assertThrows(IllegalArgumentException.class, () -> SigningKey.parse("base64:" + Base64.getEncoder().encodeToString(new byte[16]))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SigningKey.parse(dir.resolve("nope").toString())).getMessage()
                .startsWith("FEDLAKE_SIGNING_KEY: neither a key (hex of ≥ 64 digits or base64:…) nor a readable file: "));
        Path bad = Files.writeString(dir.resolve("bad.key"), "secret");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SigningKey.parse(bad.toString())).getMessage()
                .endsWith("must hold the key as hex (≥ 64 digits) or base64:…"));
    }
}
