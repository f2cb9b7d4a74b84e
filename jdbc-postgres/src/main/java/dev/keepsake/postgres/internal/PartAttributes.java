package dev.keepsake.postgres.internal;

/**
 * The keys of the attributes the PostgreSQL part records in the archive's manifest: written by the backup, read by
 * the restore (and by people reading a manifest). Constants only.
 */
public final class PartAttributes {

    /** The part's layout ({@link PartLayout#VERSION}); a restore refuses any other before it touches anything. */
    public static final String LAYOUT = "layout";
    /** The COPY formats of the tables, {@code text}, {@code binary} or {@code text+binary}: for people reading. */
    public static final String DATA_FORMAT = "dataFormat";
    /** The source server's {@code server_version_num}, e.g. {@code 150004}; a restore refuses a newer major. */
    public static final String SERVER_VERSION_NUM = "serverVersionNum";
    /** The source server's {@code server_version}, e.g. {@code 15.4 (Debian 15.4-1)}, for messages. */
    public static final String SERVER_VERSION = "serverVersion";
    /** The source database's {@code server_encoding}. */
    public static final String SERVER_ENCODING = "serverEncoding";
    /** The source database's name. */
    public static final String DATABASE = "database";
    /** Whether owners and grants are in the backup ({@code true} or {@code false}). */
    public static final String OWNERS_AND_PRIVILEGES = "ownersAndPrivileges";
    /** How many schemas the backup holds. */
    public static final String SCHEMAS = "schemas";
    /** How many tables' rows the backup holds. */
    public static final String TABLES = "tables";
    /** How many schema statements the backup holds. */
    public static final String STATEMENTS = "statements";

    private PartAttributes() {
    }
}
