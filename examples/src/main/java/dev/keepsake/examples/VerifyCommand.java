package dev.keepsake.examples;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.MaintenanceEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code keepsake verify}: checks an archive completely without restoring it. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verifies an archive completely (signature, entries, sizes, hashes) and checks it against the "
                + "version policy, without changing anything."},
        footer = {"", "Exit codes: 0 valid and restorable, 1 failure, 2 usage, 3 refused as incompatible, "
                + "4 archive failed verification."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--input", paramLabel = "FILE", required = true, description = "The archive to verify.")
    Path input;

    @Option(names = "--allow-unsigned", description = "Accept an archive without a signature (default: refused).")
    boolean allowUnsigned;

    @Mixin
    KeyOptions keys;

    @Mixin
    ProductOptions product;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Directory for the engine's temp files (default: a temp directory, deleted afterwards).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        Path archive = input.toAbsolutePath().normalize();
        if (!Files.isRegularFile(archive) || !Files.isReadable(archive)) {
            throw new CommandFailedException(ExitStatus.FAILURE, "--input " + input + " is not a readable file");
        }
        Optional<ArchiveKeySource.Loaded> key = new ArchiveKeySource(main.env()).forReading(keys.keyFile);
        try (WorkDirectory work = WorkDirectory.of(workDir)) {
            MaintenanceEngine.Builder b = EngineSetup.verifier(product.version(main.env()))
                    .workDirectory(work.path())
                    .allowUnsignedArchives(allowUnsigned);
            key.ifPresent(k -> b.verificationKeys(List.of(k.key())));
            BackupDescription d;
            try (MaintenanceEngine engine = b.build()) {
                d = engine.verify(archive);
            } catch (ArchiveVerificationException e) {
                if (key.isEmpty()) {
                    throw new CommandFailedException(ExitStatus.VERIFICATION_FAILED, e.getMessage()
                            + " (no archive key is configured: set " + ArchiveKeySource.ENV
                            + " or --key-file, or pass --allow-unsigned for an unsigned archive)", e);
                }
                throw e;
            }
            out.println("OK: backup " + d.backupId() + " by " + d.productName() + " " + d.productVersion()
                    + ", " + d.signedWithKeyId().map(id -> "signed with key " + id).orElse("UNSIGNED")
                    + ", " + d.entryCount() + " entries, " + ProgressDisplay.bytes(d.totalBytes())
                    + "; parts: " + d.parts().stream()
                    .map(p -> p.name() + " (" + p.type() + ", " + ProgressDisplay.bytes(p.totalBytes()) + ")")
                    .collect(Collectors.joining(", "))
                    + "; restorable by " + DemoProduct.NAME + " " + product.version(main.env()));
            return ExitStatus.OK.code();
        }
    }
}
