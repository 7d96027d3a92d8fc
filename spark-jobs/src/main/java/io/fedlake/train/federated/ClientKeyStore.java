package io.fedlake.train.federated;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;

/**
 * The per-client key store of secure aggregation ({@code --client-keys URI}, any Hadoop file system): one folder
 * per client, {@code <URI>/<client>/x25519.key} (PKCS#8, the private key, permissions 600 where the file system has
 * them) and {@code <URI>/<client>/x25519.pub} (X.509). A client's folder is created by the first task of that client
 * that needs it ({@link #ensure}) and read by that client's tasks only: this class exposes the private key to
 * {@link ClientMasking}, the task side of the protocol, and to nothing on the driver, which only ever reads
 * {@code .pub} files or receives public keys from the tasks. In a deployment each client's folder is provisioned
 * where only that client's executors have credentials; in one JVM (local mode) that separation is by code path only.
 *
 * <p>Folder names are the URL-encoded client id (so any id is a safe single path segment).
 */
public final class ClientKeyStore {

    static final String PRIVATE_FILE = "x25519.key";
    static final String PUBLIC_FILE = "x25519.pub";

    private final Path root;
    private final Configuration hadoop;

    public ClientKeyStore(String uri, Configuration hadoop) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("client keys URI must be set (--client-keys)");
        }
        this.root = new Path(uri);
        this.hadoop = hadoop;
    }

    /** The folder of {@code client}'s keys. */
    public Path folder(String client) {
        String name = URLEncoder.encode(client, StandardCharsets.UTF_8).replace("*", "%2A");
        if (name.startsWith(".")) {
            name = "%2E" + name.substring(1);
        }
        return new Path(root, name);
    }

    /**
     * Runs in {@code client}'s own task: creates its key pair on first use (both files written under a temporary
     * folder that is then renamed into place, so concurrent first uses agree on one pair) and returns its public key.
     */
    public byte[] ensure(String client) {
        Path dir = folder(client);
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            if (!fs.exists(new Path(dir, PUBLIC_FILE))) {
                KeyPair pair = PairwiseKeys.generate();
                Path pending = new Path(root, ".pending-" + java.util.UUID.randomUUID());
                fs.mkdirs(pending, new FsPermission((short) 0700));
                write(fs, new Path(pending, PRIVATE_FILE), pair.getPrivate().getEncoded(), (short) 0600);
                write(fs, new Path(pending, PUBLIC_FILE), pair.getPublic().getEncoded(), (short) 0644);
                if (!fs.rename(pending, dir)) {
                    fs.delete(pending, true); // another task of this client won the race; use its pair
                }
            }
            return publicKey(client);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the keys of client " + client + " under " + dir, e);
        }
    }

    /** {@code client}'s public key (X.509 DER); what the driver relays to the other clients. */
    public byte[] publicKey(String client) {
        Path file = new Path(folder(client), PUBLIC_FILE);
        byte[] bytes = read(file, "public key of client " + client);
        PairwiseKeys.publicKey(bytes); // refuses anything that is not an X25519 key
        return bytes;
    }

    /** {@code client}'s private key; only {@link ClientMasking}, inside that client's task, calls this. */
    PrivateKey privateKey(String client) {
        return PairwiseKeys.privateKey(read(new Path(folder(client), PRIVATE_FILE), "private key of client " + client));
    }

    private byte[] read(Path file, String what) {
        try {
            FileSystem fs = file.getFileSystem(hadoop);
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + what + " at " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(FileSystem fs, Path file, byte[] bytes, short permission) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
        }
        fs.setPermission(file, new FsPermission(permission));
    }
}
