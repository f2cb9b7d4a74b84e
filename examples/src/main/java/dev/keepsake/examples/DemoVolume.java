package dev.keepsake.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo application's data directory ({@code <data-dir>/volumes/uploads}): created at first start with a few
 * files (a nested directory included) so that a backup has a volume part with real content. Never touched again
 * afterwards: what a restore puts there stays. Stateless.
 */
final class DemoVolume {

    static final String NAME = "uploads";

    private DemoVolume() {
    }

    /** Creates the directory with its demo files if it does not exist yet; returns it. */
    static Path createIfMissing(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("volumes").resolve(NAME);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path staging = Files.createDirectories(dataDir.resolve("volumes")).resolve("." + NAME + ".new");
        if (Files.exists(staging)) {
            deleteTree(staging); // a previous first start died half-way
        }
        Files.createDirectories(staging.resolve("invoices/2026"));
        Files.writeString(staging.resolve("README.txt"), """
                Files uploaded by the demo application's users. Keepsake backs this directory up
                together with the database, and a restore puts both back as they were.
                """, StandardCharsets.UTF_8);
        Files.writeString(staging.resolve("invoices/2026/invoice-0001.csv"),
                "order_id,customer,total\n1,ada@example.org,12.50\n2,ada@example.org,99.00\n", StandardCharsets.UTF_8);
        Files.writeString(staging.resolve("invoices/2026/invoice-0002.csv"),
                "order_id,customer,total\n3,grace@example.org,7.25\n", StandardCharsets.UTF_8);
        byte[] logo = new byte[64 * 1024];
        for (int i = 0; i < logo.length; i++) {
            logo[i] = (byte) (i * 31 + (i >> 7));
        }
        Files.write(staging.resolve("logo.bin"), logo);
        Files.move(staging, dir);
        return dir;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
