package dev.keepsake.http;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs Jetty + the servlet + a real engine in a child JVM (started by {@link LargeUploadTest} with a small heap).
 * Args: work directory, upload directory, max upload size in bytes. Prints {@code PORT <n>} when ready; on a line
 * {@code HEAP} on stdin prints {@code HEAP <peak heap bytes> <max heap bytes>}; exits when stdin closes.
 */
public final class ForkedServerMain {

    private ForkedServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path uploads = Path.of(args[1]);
        long max = Long.parseLong(args[2]);
        Path data = Files.createDirectories(work.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        try (MaintenanceEngine engine = TestServer.engine(work.resolve("engine"), new DirectoryPart("volume:data", data));
             TestServer server = TestServer.start(engine, TestServer.config(uploads).maxUploadSize(max).build(), false)) {
            System.out.println("PORT " + server.base.getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("HEAP")) {
                    long peak = 0;
                    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                        if (pool.getType() == MemoryType.HEAP) {
                            peak += pool.getPeakUsage().getUsed();
                        }
                    }
                    System.out.println("HEAP " + peak + " " + Runtime.getRuntime().maxMemory());
                    System.out.flush();
                }
            }
        }
    }
}
