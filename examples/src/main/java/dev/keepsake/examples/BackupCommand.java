package dev.keepsake.examples;

import dev.keepsake.core.BackupVerification;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.spi.BackupStore;
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
import java.util.concurrent.Callable;

/** {@code keepsake backup}: one signed archive of a database and its volumes, written atomically to a file. */
@Command(name = "backup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Backs up a PostgreSQL database and the given volumes into one signed archive (.tgz).",
                "The archive is written next to FILE and renamed onto it only when complete: a failed backup never "
                        + "leaves a partial FILE."},
        footer = {"", "Exit codes: 0 done, 1 failure, 2 usage."})
final class BackupCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--volume", paramLabel = "NAME=PATH", converter = VolumeSpec.Converter.class,
            description = "A data directory to back up as volume NAME (repeatable).")
    List<VolumeSpec> volumes = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE", required = true,
            description = "Where to write the archive (replaced atomically if it exists).")
    Path output;

    @Option(names = "--verify", paramLabel = "MODE", defaultValue = "stored_bytes",
            description = "How the new archive is checked before it replaces FILE: stored_bytes (read back and "
                    + "compared with what was written; default), full (also decompressed and verified entry by "
                    + "entry), none.")
    BackupVerification verify;

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
        Path target = output.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new CommandFailedException(ExitStatus.USAGE, "--output " + output
                    + " is a directory: give a file name, e.g. " + output.resolve("backup.tgz"));
        }
        for (VolumeSpec v : volumes) {
            if (!Files.isDirectory(v.path())) {
                throw new CommandFailedException(ExitStatus.FAILURE, "volume " + v.name() + ": " + v.path()
                        + " is not a directory");
            }
        }
        ArchiveKeySource.Loaded key = new ArchiveKeySource(main.env()).forWriting(keys.keyFile);
        DataSource ds = database.dataSource(main.env());
        DatabaseOptions.ping(ds, database.jdbcUrl);
        SingleFileStore store = new SingleFileStore(target);
        try (WorkDirectory work = WorkDirectory.of(workDir);
             MaintenanceEngine engine = EngineSetup.builder(product.version(main.env()), ds, volumes)
                     .workDirectory(work.path())
                     .store(store)
                     .backupVerification(verify)
                     .signingKey(key.key())
                     .build();
             ShutdownGuard guard = new ShutdownGuard(engine)) {
            Operation op = engine.startBackup();
            OperationStatus status = new ProgressDisplay(err, main.terminal()).await(engine, op);
            if (!status.succeeded()) {
                ErrorCode code = status.errorCode().orElse(ErrorCode.PART_FAILED);
                throw new CommandFailedException(ExitStatus.of(code), "backup failed: " + status.statusMessage());
            }
            BackupStore.StoredBackup written = store.written().orElseThrow(() -> new CommandFailedException(
                    ExitStatus.FAILURE, "backup " + status.id() + " reported success but wrote no file"));
            out.println("backup " + written.id() + " written to " + target + " (" + ProgressDisplay.bytes(written.size())
                    + ", sha256 " + written.sha256() + ", signed with key " + key.key().id() + " from " + key.source()
                    + ")");
            return ExitStatus.OK.code();
        }
    }
}
