package dev.keepsake.examples;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --key-file}: see {@link ArchiveKeySource} for where the archive key comes from. */
final class KeyOptions {

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "Archive signing key: a file holding base64 of >= 32 random bytes. Default: $"
                    + ArchiveKeySource.ENV + " if set, else $${XDG_CONFIG_HOME:-~/.config}/keepsake/archive.key "
                    + "(created with mode 0600 by serve and backup when missing).")
    Path keyFile;
}
