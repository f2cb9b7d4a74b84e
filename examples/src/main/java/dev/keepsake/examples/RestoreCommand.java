package dev.keepsake.examples;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code keepsake restore}: puts a database and its volumes back from an archive, all or nothing. */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Restores a PostgreSQL database and the given volumes from an archive.",
                "The whole archive is verified and checked against the version policy before anything is changed; "
                        + "a refused or damaged archive changes nothing."},
        footer = {"", "Exit codes: 0 done, 1 failure, 2 usage, 3 refused as incompatible, "
                + "4 archive failed verification."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--volume", paramLabel = "NAME=PATH", converter = VolumeSpec.Converter.class,
            description = "A data directory to restore volume NAME into (repeatable).")
    List<VolumeSpec> volumes = new ArrayList<>();

    @Option(names = "--input", paramLabel = "FILE", required = true, description = "The archive to restore.")
    Path input;

    @Option(names = "--allow-unsigned", description = "Accept an archive without a signature (default: refused).")
    boolean allowUnsigned;

    @Mixin
    KeyOptions keys;

    @Mixin
    ProductOptions product;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Directory for the engine's status and temp files (default: a temp directory, deleted "
                    + "afterwards).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        PrintWriter err = main.spec.commandLine().getErr();
        if (!database.given()) {
            throw new CommandFailedException(ExitStatus.USAGE, "missing --jdbc-url");
        }
        Path archive = input.toAbsolutePath().normalize();
        if (!Files.isRegularFile(archive) || !Files.isReadable(archive)) {
            throw new CommandFailedException(ExitStatus.FAILURE, "--input " + input + " is not a readable file");
        }
        Optional<ArchiveKeySource.Loaded> key = new ArchiveKeySource(main.env()).forReading(keys.keyFile);
        DataSource ds = database.dataSource(main.env());
        DatabaseOptions.ping(ds, database.jdbcUrl);
        try (WorkDirectory work = WorkDirectory.of(workDir)) {
            MaintenanceEngine.Builder b = EngineSetup.builder(product.version(main.env()), ds, volumes)
                    .workDirectory(work.path())
                    .allowUnsignedArchives(allowUnsigned);
            key.ifPresent(k -> b.verificationKeys(List.of(k.key())));
            try (MaintenanceEngine engine = b.build();
                 ShutdownGuard guard = new ShutdownGuard(engine)) {
                Operation op = engine.startRestore(RestoreSource.of(archive));
                OperationStatus status = new ProgressDisplay(err, main.terminal()).await(engine, op);
                if (!status.succeeded()) {
                    ErrorCode code = status.errorCode().orElse(ErrorCode.PART_FAILED);
                    String hint = code == ErrorCode.ARCHIVE_INVALID && key.isEmpty()
                            ? " (no archive key is configured: set " + ArchiveKeySource.ENV + " or --key-file, "
                                    + "or pass --allow-unsigned for an unsigned archive)"
                            : "";
                    throw new CommandFailedException(ExitStatus.of(code), "restore refused or failed: "
                            + status.statusMessage() + hint);
                }
                out.println("restored " + status.id() + " from " + archive);
                return ExitStatus.OK.code();
            }
        }
    }
}
