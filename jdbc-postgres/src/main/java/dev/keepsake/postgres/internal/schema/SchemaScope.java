package dev.keepsake.postgres.internal.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which objects a backup covers. Immutable and thread-safe.
 *
 * @param includeSchemas             schemas to cover; empty means every non-system schema
 * @param excludeSchemas             schemas never covered (wins over {@code includeSchemas})
 * @param excludeTables              tables (and their data, indexes, constraints, triggers, policies, rules) left out,
 *                                   each as {@code schema.table} with the exact (unquoted) names
 * @param includeOwnersAndPrivileges emit {@code ALTER ... OWNER TO} and {@code GRANT}s; default {@code false}, like
 *                                   {@code pg_dump --no-owner --no-privileges}
 */
public record SchemaScope(List<String> includeSchemas, List<String> excludeSchemas, List<String> excludeTables,
                          boolean includeOwnersAndPrivileges) {

    private static final Set<String> SYSTEM_SCHEMAS = Set.of("pg_catalog", "information_schema");
    /** A restore's staging schemas (its StagedLoad): never part of a backup. */
    public static final String STAGING_PREFIX = "keepsake_staging_";

    public SchemaScope {
        includeSchemas = List.copyOf(includeSchemas);
        excludeSchemas = List.copyOf(excludeSchemas);
        excludeTables = List.copyOf(excludeTables);
        List<String> problems = new ArrayList<>();
        for (String s : includeSchemas) {
            if (s.isEmpty() || isSystemSchema(s)) {
                problems.add("includeSchemas contains '" + s + "', which is empty or a system schema");
            }
        }
        for (String t : excludeTables) {
            int dot = t.indexOf('.');
            if (dot <= 0 || dot == t.length() - 1) {
                problems.add("excludeTables entry '" + t + "' is not of the form schema.table");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid schema scope: " + String.join("; ", problems));
        }
    }

    /** Every non-system schema, without owners and privileges. */
    public static SchemaScope all() {
        return new SchemaScope(List.of(), List.of(), List.of(), false);
    }

    /** This scope with owners and privileges included or not. */
    public SchemaScope withOwnersAndPrivileges(boolean include) {
        return new SchemaScope(includeSchemas, excludeSchemas, excludeTables, include);
    }

    /** Whether the schema named {@code name} is covered. */
    public boolean coversSchema(String name) {
        if (isSystemSchema(name) || excludeSchemas.contains(name)) {
            return false;
        }
        return includeSchemas.isEmpty() || includeSchemas.contains(name);
    }

    /** Whether the table {@code schema.name} is excluded. The split is on the first dot, as documented above. */
    public boolean excludesTable(String schema, String name) {
        return excludeTables.contains(schema + "." + name);
    }

    static boolean isSystemSchema(String name) {
        return SYSTEM_SCHEMAS.contains(name) || name.startsWith("pg_toast") || name.startsWith("pg_temp")
                || name.startsWith(STAGING_PREFIX);
    }
}
