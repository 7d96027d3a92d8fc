package io.fedlake.zoo.artifact;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key that signs model artifacts with HMAC-SHA256 (RFC 2104, {@code javax.crypto.Mac "HmacSHA256"}). It lives
 * outside the lake: whoever can write the lake can rewrite an artifact, its model.json and its registry row
 * consistently (SHA-256s included), but cannot produce a valid signature without the key.
 *
 * <p>{@value #ENV}: either the key itself or the path of a file holding it. The key is written as hex (at least
 * 64 hex digits = 32 bytes) or as {@code base64:<standard Base64>} (at least 32 bytes); a file holds one such line
 * (surrounding whitespace ignored). Any other value is taken as a file path. Generate one with
 * {@code openssl rand -hex 32 > signing.key}.
 */
public final class SigningKey {

    public static final String ENV = "FEDLAKE_SIGNING_KEY";
    public static final String ALGORITHM = "HmacSHA256";
    static final int MIN_BYTES = 32;

    private final byte[] key;

    private SigningKey(byte[] key) {
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException(ENV + ": the key must be at least " + MIN_BYTES + " bytes, got " + key.length);
        }
        this.key = key.clone();
    }

    public static SigningKey of(byte[] key) {
        return new SigningKey(key);
    }

    /** The key {@value #ENV} names, or empty when it is unset or blank. */
    public static Optional<SigningKey> fromEnvironment() {
        String v = System.getenv(ENV);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(parse(v));
    }

    /** A key from the value of {@value #ENV}: the key in hex or {@code base64:…}, else the path of a file holding it. */
    public static SigningKey parse(String value) {
        String v = value.strip();
        byte[] inline = decode(v);
        if (inline != null) {
            return new SigningKey(inline);
        }
        Path file = Path.of(v.startsWith("file:") ? java.net.URI.create(v).getPath() : v);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(ENV + ": neither a key (hex of ≥ 64 digits or base64:…) nor a readable file: " + file);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(ENV + ": cannot read key file " + file, e);
        }
        byte[] k = decode(text);
        if (k == null) {
            throw new IllegalArgumentException(ENV + ": key file " + file + " must hold the key as hex (≥ 64 digits) or base64:…");
        }
        return new SigningKey(k);
    }

    private static byte[] decode(String v) {
        if (v.startsWith("base64:")) {
            try {
                return java.util.Base64.getDecoder().decode(v.substring("base64:".length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV + ": base64 key does not decode: " + e.getMessage());
            }
        }
        if (v.length() >= 2 * MIN_BYTES && v.length() % 2 == 0 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(v);
        }
        return null;
    }

    /** Lower-case hex HMAC-SHA256 of {@code message}. */
    public String sign(byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no " + ALGORITHM, e);
        }
    }

    /** Whether {@code signatureHex} is this key's signature of {@code message}, compared in constant time. */
    public boolean verifies(byte[] message, String signatureHex) {
        if (signatureHex == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(message).getBytes(StandardCharsets.US_ASCII), signatureHex.strip().toLowerCase().getBytes(StandardCharsets.US_ASCII));
    }

    /** A name for the key that reveals nothing of it (an HMAC of a fixed label): tells which key signed an artifact. */
    public String id() {
        return sign("fedlake signing key id".getBytes(StandardCharsets.US_ASCII)).substring(0, 16);
    }

    @Override
    public String toString() {
        return "SigningKey[" + id() + "]";
    }
}
