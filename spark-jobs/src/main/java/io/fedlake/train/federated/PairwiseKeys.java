package io.fedlake.train.federated;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The key agreement behind secure aggregation's pairwise masks (Bonawitz et al. 2017, "Practical Secure Aggregation
 * for Privacy-Preserving Machine Learning", §4 and §6): every client holds a long-term X25519 key pair (RFC 7748);
 * two clients agree on a shared secret from one's private and the other's public key, and HKDF-SHA256 (RFC 5869)
 * turns it into a fresh 32-byte pair seed for each (run, round, attempt, nonce, pair), which AES-256-CTR expands into
 * the mask. Whoever holds only public keys — the driver relays them — cannot compute any pair seed.
 *
 * <p>Only JDK primitives: {@code KeyPairGenerator/KeyAgreement "X25519"}, {@code Mac "HmacSHA256"} and
 * {@code Cipher "AES/CTR/NoPadding"}. Keys travel as X.509 (public) and PKCS#8 (private) DER encodings.
 */
public final class PairwiseKeys {

    /** Bytes of a pair seed: an AES-256 key. */
    public static final int SEED_BYTES = 32;
    private static final byte[] SALT = "fedlake secure aggregation v1".getBytes(StandardCharsets.UTF_8);

    private PairwiseKeys() {
    }

    /** A new long-term X25519 key pair from the platform's secure random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no X25519 key pair generator (JDK 11+)", e);
        }
    }

    public static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 public key (X.509 DER): " + e.getMessage(), e);
        }
    }

    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("X25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 private key (PKCS#8 DER): " + e.getMessage(), e);
        }
    }

    /**
     * The seed of the mask between {@code me} and {@code other} for one round attempt: HKDF-SHA256 of the X25519
     * shared secret, with the context and both client ids (ordered, so either side derives the same seed) as info.
     *
     * @param context what makes the seed unique: run id, round, attempt and the attempt's random nonce ({@link #context})
     */
    public static byte[] pairSeed(PrivateKey mine, byte[] otherPublic, String me, String other, byte[] context) {
        byte[] shared;
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(mine);
            ka.doPhase(publicKey(otherPublic), true);
            shared = ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 key agreement between " + me + " and " + other + " failed: " + e.getMessage(), e);
        }
        boolean meFirst = me.compareTo(other) < 0;
        byte[] info = concat(context, fields(meFirst ? me : other, meFirst ? other : me));
        return hkdf(SALT, shared, info, SEED_BYTES);
    }

    /** The HKDF info prefix for one round attempt (length-prefixed fields, so no two contexts encode alike). */
    public static byte[] context(String runId, int round, int attempt, byte[] nonce) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.write(fields("fedlake-secagg-v1", runId));
            out.writeInt(round);
            out.writeInt(attempt);
            out.writeInt(nonce.length);
            out.write(nonce);
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * HKDF (Krawczyk 2010; RFC 5869) with HMAC-SHA256: extract {@code PRK = HMAC(salt, ikm)}, then expand
     * {@code T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i)} to {@code length} ≤ 255·32 bytes.
     */
    public static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length < 1 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF output length must be in [1, 8160], got " + length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            for (int i = 1, done = 0; done < length; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                t = mac.doFinal();
                int n = Math.min(t.length, length - done);
                System.arraycopy(t, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** {@code n} mask values: the AES-256-CTR keystream under {@code seed} (zero IV: each seed is used once), as longs. */
    public static long[] expand(byte[] seed, int n) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("pair seed must have " + SEED_BYTES + " bytes, got " + seed.length);
        }
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            ByteBuffer stream = ByteBuffer.wrap(aes.doFinal(new byte[n * 8]));
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = stream.getLong();
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR/NoPadding unavailable", e);
        }
    }

    private static byte[] fields(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + x.length + y.length).putInt(x.length).put(x).putInt(y.length).put(y).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
