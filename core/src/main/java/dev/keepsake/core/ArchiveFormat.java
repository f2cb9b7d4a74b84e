package dev.keepsake.core;

/** How the tar stream of an archive is compressed. */
public enum ArchiveFormat {
    /** {@code .tgz}: gzip, readable by every {@code tar}. The default. */
    GZIP(".tgz"),
    /** {@code .tar.zst}: zstd, faster; needs {@code com.github.luben:zstd-jni} on the class path. */
    ZSTD(".tar.zst");

    private final String extension;

    ArchiveFormat(String extension) {
        this.extension = extension;
    }

    /** File name extension including the dot. */
    public String extension() {
        return extension;
    }
}
