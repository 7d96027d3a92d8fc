package io.fedlake.train.federated;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientKeyStoreTest {

    @TempDir
    Path tmp;

    private ClientKeyStore store() {
        return new ClientKeyStore(tmp.resolve("keys").toUri().toString(), new Configuration());
    }

    private static ClientRound round(List<String> clients, Map<String, byte[]> publicKeys) {
        Map<String, FitInstructions> plan = new LinkedHashMap<>();
        clients.forEach(c -> plan.put(c, new FitInstructions(1, 32, 0, 1)));
        return new ClientRound(1, 1, 7L, plan, Set.of(), Long.MAX_VALUE, 0.01, true, null, "unused", publicKeys,
                PairwiseKeys.context("run-k", 1, 1, new byte[16]));
    }

    @Test
    void aClientsFirstUseCreatesItsPairOnceInItsOwnFolder() throws Exception {
        ClientKeyStore keys = store();
        byte[] first = keys.ensure("branch-7");
        byte[] again = keys.ensure("branch-7");

        assertArrayEquals(first, again, "the long-term pair is created once and then reused");
        Path folder = tmp.resolve("keys").resolve("branch-7");
        assertEquals(Set.of("x25519.key", "x25519.pub"), Files.list(folder).map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith(".")).collect(java.util.stream.Collectors.toSet()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("x25519.key"))));
        assertEquals(List.of("branch-7"), Files.list(tmp.resolve("keys")).map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith(".")).toList(), "no pending folder is left behind");
    }

    @Test
    void clientIdsBecomeSingleSafePathSegments() {
        ClientKeyStore keys = store();
        assertEquals("%2E.%2Fetc", keys.folder("../etc").getName());
        assertEquals("a%2Fb", keys.folder("a/b").getName());
    }

    /**
     * The driver only relays public keys: with every private key file gone from its view, everything the driver
     * does still works, while the one thing that needs a private key — a client's own masking — cannot run there.
     */
    @Test
    void theDriverRelaysPublicKeysWithoutEverOpeningAPrivateKey() throws Exception {
        ClientKeyStore keys = store();
        List<String> clients = List.of("a", "b", "c");
        Map<String, byte[]> relayed = new LinkedHashMap<>();
        clients.forEach(c -> relayed.put(c, keys.ensure(c)));
        ClientRound round = round(clients, relayed);
        // each client masks in its own task, with its own private key
        Map<String, Map<String, byte[]>> seeds = new LinkedHashMap<>();
        clients.forEach(c -> seeds.put(c, ClientMasking.pairSeeds(round, c, keys)));
        List<SecureAggregation.RevealedSeed> revealed = ClientMasking.reveal(round, "a", List.of("c"), keys);
        revealed = new java.util.ArrayList<>(revealed);
        revealed.addAll(ClientMasking.reveal(round, "b", List.of("c"), keys));

        for (String c : clients) {
            Files.delete(tmp.resolve("keys").resolve(c).resolve("x25519.key"));
        }

        // the driver's side: read and relay public keys, remove a dropped client's masks from revealed seeds
        for (String c : clients) {
            assertArrayEquals(relayed.get(c), keys.publicKey(c));
        }
        long[] a = SecureAggregation.mask(new long[] {5, 6}, "a", clients, seeds.get("a"));
        long[] b = SecureAggregation.mask(new long[] {7, 8}, "b", clients, seeds.get("b"));
        assertArrayEquals(new long[] {12, 14}, SecureAggregation.removeDropoutMasks(SecureAggregation.sum(a, b), List.of("a", "b"), List.of("c"), revealed));
        // a client's side needs its private key, which the driver's view does not have
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ClientMasking.pairSeeds(round, "a", keys));
        assertTrue(e.getMessage().startsWith("cannot read the private key of client a at "), e.getMessage());
    }
}
