package dev.keepsake.postgres.internal.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The schema of a database as ordered SQL, split like pg_dump's sections. Every statement is one complete SQL
 * statement without a trailing semicolon, meant to run in ONE transaction in the order given: {@code preData}, then the
 * rows of {@code tables}, then {@code postData}. Identifiers are quoted and names are schema-qualified; preData begins
 * by setting (transaction-locally) an empty {@code search_path} and {@code check_function_bodies = off}, as pg_dump's
 * scripts do. Immutable and thread-safe.
 *
 * @param serverVersionNum the source server's {@code server_version_num}, e.g. 150004
 * @param schemas          the names of the schemas covered (a restore replaces exactly these)
 * @param extensions       the names of the extensions created (with {@code CREATE EXTENSION IF NOT EXISTS}) in preData
 * @param preData          types, functions, sequences, tables, views, ... in dependency order
 * @param tables           the tables whose rows must be copied between preData and postData; a table's
 *                         {@link TableRef#stagedBuild()} points at its statements in preData and postData
 * @param postData         sequence values, constraints, indexes, triggers, rules, policies, materialized view refreshes
 * @param inventory        object kind to count, for diagnostics and cross-major comparisons
 */
public record SchemaScript(int serverVersionNum, List<String> schemas, List<String> extensions, List<String> preData,
                           List<TableRef> tables, List<String> postData, Map<String, String> inventory) {

    private static final String MAGIC = "keepsake-schema-script";
    private static final int FORMAT_VERSION = 1;

    public SchemaScript {
        if (serverVersionNum < 90000) {
            throw new IllegalArgumentException("serverVersionNum " + serverVersionNum + " is not a PostgreSQL version");
        }
        schemas = List.copyOf(schemas);
        extensions = List.copyOf(extensions);
        preData = List.copyOf(preData);
        tables = List.copyOf(tables);
        postData = List.copyOf(postData);
        inventory = Collections.unmodifiableMap(new TreeMap<>(inventory));
        checkStagedBuilds(tables, preData, postData);
    }

    /**
     * Each staged build must point at its table's own statements, each statement at most once: a restore runs them
     * on a staging copy of the table and skips them (or, for the CREATE, moves the copy) at those indexes.
     */
    private static void checkStagedBuilds(List<TableRef> tables, List<String> preData, List<String> postData) {
        Set<Integer> pre = new HashSet<>();
        Set<Integer> post = new HashSet<>();
        for (TableRef t : tables) {
            StagedBuild b = t.stagedBuild();
            if (b == null) {
                continue;
            }
            if (!pointsAt(preData, b.createAt(), b.create(), t) || !pre.add(b.createAt())) {
                throw new IllegalArgumentException("Schema script: the staged CREATE of " + t.describe()
                        + " is not schema statement " + b.createAt());
            }
            b.indexes().forEach((at, statement) -> {
                if (!pointsAt(postData, at, statement, t) || !post.add(at)) {
                    throw new IllegalArgumentException("Schema script: a staged index statement of " + t.describe()
                            + " is not post-data statement " + at);
                }
            });
        }
    }

    private static boolean pointsAt(List<String> statements, int at, TableDdl statement, TableRef t) {
        return at < statements.size() && statements.get(at).equals(statement.on(t.schema(), t.name()));
    }

    /** The source server's major version, e.g. 15. */
    public int serverMajorVersion() {
        return serverVersionNum / 10000;
    }

    /**
     * A stable text form for the archive: one record per line, fields separated by tabs, with backslash, tab, carriage
     * return and newline escaped. {@link #fromText(String)} reads it back.
     */
    public String toText() {
        StringBuilder out = new StringBuilder();
        line(out, MAGIC, Integer.toString(FORMAT_VERSION));
        line(out, "server_version_num", Integer.toString(serverVersionNum));
        schemas.forEach(s -> line(out, "schema", s));
        extensions.forEach(e -> line(out, "extension", e));
        preData.forEach(s -> line(out, "pre", s));
        for (TableRef t : tables) {
            List<String> fields = new ArrayList<>(List.of("table", t.schema(), t.name(), Long.toString(t.estimatedBytes())));
            fields.addAll(t.columns());
            line(out, fields.toArray(String[]::new));
            StagedBuild b = t.stagedBuild();
            if (b != null) {
                line(out, "staged-create", Integer.toString(b.createAt()), b.create().head(), b.create().tail());
                b.indexes().forEach((at, ddl) -> line(out, "staged-index", Integer.toString(at), ddl.head(),
                        ddl.tail()));
            }
        }
        postData.forEach(s -> line(out, "post", s));
        inventory.forEach((k, v) -> line(out, "inventory", k, v));
        line(out, "end");
        return out.toString();
    }

    /**
     * Reads the form written by {@link #toText()}.
     *
     * @throws IllegalArgumentException if the text is not a complete schema script of a known format version
     */
    public static SchemaScript fromText(String text) {
        String[] lines = text.split("\n", -1);
        int version = 0;
        List<String> schemas = new ArrayList<>();
        List<String> extensions = new ArrayList<>();
        List<String> pre = new ArrayList<>();
        List<TableRef> tables = new ArrayList<>();
        List<String> post = new ArrayList<>();
        Map<String, String> inventory = new LinkedHashMap<>();
        boolean ended = false;
        if (lines.length == 0 || !lines[0].startsWith(MAGIC + "\t")) {
            throw new IllegalArgumentException("Not a Keepsake schema script: the first line must start with '" + MAGIC + "'");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (ended) {
                if (!line.isEmpty()) {
                    throw new IllegalArgumentException("Schema script has content after its end marker at line " + (i + 1));
                }
                continue;
            }
            if (line.isEmpty() && i == lines.length - 1) {
                break; // what follows the last newline
            }
            List<String> f = fields(line, i + 1);
            String kind = f.get(0);
            try {
                switch (kind) {
                    case MAGIC -> {
                        expect(f, 2, i);
                        if (!f.get(1).equals(Integer.toString(FORMAT_VERSION))) {
                            throw new IllegalArgumentException("Schema script format " + f.get(1)
                                    + " is not supported (this version reads format " + FORMAT_VERSION + ")");
                        }
                    }
                    case "server_version_num" -> {
                        expect(f, 2, i);
                        version = Integer.parseInt(f.get(1));
                    }
                    case "schema" -> schemas.add(single(f, i));
                    case "extension" -> extensions.add(single(f, i));
                    case "pre" -> pre.add(single(f, i));
                    case "post" -> post.add(single(f, i));
                    case "table" -> {
                        if (f.size() < 4) {
                            throw new IllegalArgumentException("Schema script line " + (i + 1) + ": a table needs schema, name and size");
                        }
                        tables.add(new TableRef(f.get(1), f.get(2), Long.parseLong(f.get(3)), f.subList(4, f.size())));
                    }
                    case "staged-create" -> {
                        expect(f, 4, i);
                        TableRef t = tables.isEmpty() ? null : tables.get(tables.size() - 1);
                        if (t == null || t.stageable()) {
                            throw new IllegalArgumentException("Schema script line " + (i + 1)
                                    + ": a staged CREATE must follow its table's line, once");
                        }
                        tables.set(tables.size() - 1, t.withStagedBuild(new StagedBuild(index(f.get(1), i),
                                new TableDdl(f.get(2), f.get(3)), new TreeMap<>())));
                    }
                    case "staged-index" -> {
                        expect(f, 4, i);
                        TableRef t = tables.isEmpty() ? null : tables.get(tables.size() - 1);
                        if (t == null || !t.stageable()) {
                            throw new IllegalArgumentException("Schema script line " + (i + 1)
                                    + ": a staged index statement must follow its table's staged CREATE");
                        }
                        tables.set(tables.size() - 1, t.withStagedBuild(t.stagedBuild().withIndex(index(f.get(1), i),
                                new TableDdl(f.get(2), f.get(3)))));
                    }
                    case "inventory" -> {
                        expect(f, 3, i);
                        inventory.put(f.get(1), f.get(2));
                    }
                    case "end" -> ended = true;
                    default -> throw new IllegalArgumentException("Schema script line " + (i + 1) + " has unknown record '" + kind + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Schema script line " + (i + 1) + " has a malformed number: " + e.getMessage(), e);
            }
        }
        if (!ended) {
            throw new IllegalArgumentException("Schema script is truncated: its end marker is missing");
        }
        if (version == 0) {
            throw new IllegalArgumentException("Schema script lacks server_version_num");
        }
        return new SchemaScript(version, schemas, extensions, pre, tables, post, inventory);
    }

    private static int index(String field, int lineIndex) {
        int n = Integer.parseInt(field);
        if (n < 0) {
            throw new IllegalArgumentException("Schema script line " + (lineIndex + 1) + " has a negative index " + n);
        }
        return n;
    }

    private static void expect(List<String> f, int n, int lineIndex) {
        if (f.size() != n) {
            throw new IllegalArgumentException("Schema script line " + (lineIndex + 1) + " ('" + f.get(0) + "') has "
                    + f.size() + " fields, expected " + n);
        }
    }

    private static String single(List<String> f, int lineIndex) {
        expect(f, 2, lineIndex);
        return f.get(1);
    }

    private static void line(StringBuilder out, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            escape(out, fields[i]);
        }
        out.append('\n');
    }

    private static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    private static List<String> fields(String line, int lineNumber) {
        List<String> result = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                result.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("Schema script line " + lineNumber + " ends with a lone backslash");
                }
                char n = line.charAt(++i);
                switch (n) {
                    case '\\' -> cur.append('\\');
                    case 't' -> cur.append('\t');
                    case 'n' -> cur.append('\n');
                    case 'r' -> cur.append('\r');
                    default -> throw new IllegalArgumentException("Schema script line " + lineNumber
                            + " has an unknown escape '\\" + n + "'");
                }
            } else {
                cur.append(c);
            }
        }
        result.add(cur.toString());
        return result;
    }
}
