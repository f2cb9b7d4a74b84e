package dev.keepsake.testkit.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Runs an SQL script the way psql does for the subset pg_dump writes: statements split on top-level semicolons
 * (respecting quotes, {@code E''} strings, quoted identifiers, dollar quoting, nested comments, parentheses and
 * {@code BEGIN ATOMIC ... END} bodies), {@code COPY ... FROM stdin} followed by data lines ending with {@code \.}
 * fed through pgjdbc's {@link CopyManager}, and psql meta-commands ({@code \restrict}, {@code \set}, ...) skipped.
 * Meta-commands that would change what the script means ({@code \connect}, {@code \i}) are refused.
 *
 * <p>Each statement is sent on its own, in the connection's current transaction mode. Not thread-safe: one runner
 * per script. The reader is owned by the caller.
 */
public final class ScriptRunner {

    private enum Mode { NORMAL, SINGLE_QUOTE, ESCAPE_STRING, DOUBLE_QUOTE, DOLLAR, LINE_COMMENT, BLOCK_COMMENT }

    private static final int MAX_TRACKED_WORDS = 32;

    private final Connection connection;
    private final String source;
    private BufferedReader reader;
    private int lineNumber;

    // state of the statement being read
    private final StringBuilder statement = new StringBuilder();
    private Mode mode = Mode.NORMAL;
    private String dollarTag;
    private int commentDepth;
    private int parenDepth;
    private int beginDepth;
    private int startLine;
    private boolean hasContent;
    private final List<String> words = new ArrayList<>(); // unquoted words at parenthesis depth 0, lower case
    private int wordCount;
    private int executed;

    private ScriptRunner(Connection connection, String source) {
        this.connection = connection;
        this.source = source;
    }

    /**
     * Runs every statement of {@code script} on {@code connection}.
     *
     * @param source name of the script for error messages (e.g. its path)
     * @return the number of statements executed (COPY blocks included)
     * @throws SQLException naming the line where the failing statement starts
     */
    public static int run(Connection connection, Reader script, String source) throws SQLException, IOException {
        ScriptRunner runner = new ScriptRunner(connection, source);
        runner.reader = script instanceof BufferedReader b ? b : new BufferedReader(script, 1 << 16);
        runner.runAll();
        return runner.executed;
    }

    private void runAll() throws SQLException, IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (mode == Mode.NORMAL && !hasContent && line.stripLeading().startsWith("\\")) {
                metaCommand(line.strip());
                statement.setLength(0);
                continue;
            }
            scan(line + "\n");
        }
        if (mode != Mode.NORMAL && mode != Mode.LINE_COMMENT) {
            throw new SQLException("Script " + source + " ends inside " + describe(mode) + " (statement starting at line "
                    + startLine + ")", "42601");
        }
        if (hasContent) {
            finishStatement();
        }
    }

    private static String describe(Mode mode) {
        return switch (mode) {
            case SINGLE_QUOTE, ESCAPE_STRING -> "a quoted string";
            case DOUBLE_QUOTE -> "a quoted identifier";
            case DOLLAR -> "a dollar-quoted string";
            case BLOCK_COMMENT -> "a /* comment */";
            default -> mode.name();
        };
    }

    private void metaCommand(String line) throws SQLException {
        String command = line.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        switch (command) {
            case "\\c", "\\connect", "\\i", "\\ir", "\\include", "\\include_relative", "\\o", "\\out", "\\copy",
                 "\\g", "\\gexec", "\\." -> throw new SQLException("psql meta-command " + command + " at line "
                    + lineNumber + " of " + source + " is not supported (the script must run in the given database)",
                    "0A000");
            default -> {
                // restrict, unrestrict, set, pset, echo, encoding ...: client-side only, nothing to run
            }
        }
    }

    private void scan(String text) throws SQLException, IOException {
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            switch (mode) {
                case NORMAL -> {
                    if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                        mode = Mode.LINE_COMMENT;
                        i += 2;
                        continue;
                    }
                    if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                        mode = Mode.BLOCK_COMMENT;
                        commentDepth = 1;
                        statement.append("/*");
                        i += 2;
                        continue;
                    }
                    if (c == ';' && parenDepth == 0 && beginDepth == 0) {
                        statement.append(c);
                        String rest = text.substring(i + 1);
                        if (finishStatement()) {
                            if (!rest.isBlank()) {
                                throw new SQLException("Unexpected text after COPY ... FROM stdin at line " + lineNumber
                                        + " of " + source, "42601");
                            }
                            return;
                        }
                        i++;
                        continue;
                    }
                    if (!Character.isWhitespace(c)) {
                        markContent();
                    }
                    if (c == '\'') {
                        mode = Mode.SINGLE_QUOTE;
                    } else if (c == '"') {
                        mode = Mode.DOUBLE_QUOTE;
                    } else if (c == '(') {
                        parenDepth++;
                    } else if (c == ')') {
                        parenDepth = Math.max(0, parenDepth - 1);
                    } else if (c == '$') {
                        int end = dollarTagEnd(text, i);
                        if (end > 0) {
                            dollarTag = text.substring(i, end);
                            mode = Mode.DOLLAR;
                            statement.append(dollarTag);
                            i = end;
                            continue;
                        }
                    } else if (isIdentifierStart(c)) {
                        int end = i + 1;
                        while (end < n && isIdentifierPart(text.charAt(end))) {
                            end++;
                        }
                        String word = text.substring(i, end);
                        statement.append(word);
                        i = end;
                        if ((word.equals("E") || word.equals("e")) && i < n && text.charAt(i) == '\'') {
                            statement.append('\'');
                            mode = Mode.ESCAPE_STRING;
                            i++;
                        } else {
                            word(word.toLowerCase(Locale.ROOT));
                        }
                        continue;
                    } else if (Character.isDigit(c)) {
                        int end = i + 1;
                        while (end < n && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '.'
                                || text.charAt(end) == '_')) {
                            end++;
                        }
                        statement.append(text, i, end);
                        i = end;
                        continue;
                    }
                    statement.append(c);
                    i++;
                }
                case SINGLE_QUOTE, DOUBLE_QUOTE -> {
                    char quote = mode == Mode.SINGLE_QUOTE ? '\'' : '"';
                    statement.append(c);
                    if (c == quote) {
                        if (i + 1 < n && text.charAt(i + 1) == quote) {
                            statement.append(quote);
                            i += 2;
                            continue;
                        }
                        mode = Mode.NORMAL;
                    }
                    i++;
                }
                case ESCAPE_STRING -> {
                    statement.append(c);
                    if (c == '\\' && i + 1 < n) {
                        statement.append(text.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    if (c == '\'') {
                        if (i + 1 < n && text.charAt(i + 1) == '\'') {
                            statement.append('\'');
                            i += 2;
                            continue;
                        }
                        mode = Mode.NORMAL;
                    }
                    i++;
                }
                case DOLLAR -> {
                    if (c == '$' && text.startsWith(dollarTag, i)) {
                        statement.append(dollarTag);
                        i += dollarTag.length();
                        mode = Mode.NORMAL;
                        continue;
                    }
                    statement.append(c);
                    i++;
                }
                case LINE_COMMENT -> {
                    if (c == '\n') {
                        mode = Mode.NORMAL;
                        statement.append('\n');
                    }
                    i++;
                }
                case BLOCK_COMMENT -> {
                    if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                        commentDepth++;
                        statement.append("/*");
                        i += 2;
                        continue;
                    }
                    if (c == '*' && i + 1 < n && text.charAt(i + 1) == '/') {
                        commentDepth--;
                        statement.append("*/");
                        i += 2;
                        if (commentDepth == 0) {
                            mode = Mode.NORMAL;
                        }
                        continue;
                    }
                    statement.append(c);
                    i++;
                }
                default -> throw new IllegalStateException("unknown mode " + mode);
            }
        }
    }

    private void markContent() {
        if (!hasContent) {
            hasContent = true;
            startLine = lineNumber;
        }
    }

    /** psql's heuristic: inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, BEGIN (and CASE within it) nest to END. */
    private void word(String word) {
        if (parenDepth == 0 && words.size() < MAX_TRACKED_WORDS) {
            words.add(word);
        }
        wordCount++;
        if (parenDepth != 0 || !isRoutineDefinition()) {
            return;
        }
        switch (word) {
            case "begin" -> beginDepth++;
            case "case" -> {
                if (beginDepth >= 1) {
                    beginDepth++;
                }
            }
            case "end" -> {
                if (beginDepth > 0) {
                    beginDepth--;
                }
            }
            default -> {
                // other words do not nest
            }
        }
    }

    private boolean isRoutineDefinition() {
        if (words.size() < 2 || !words.get(0).equals("create")) {
            return false;
        }
        String second = words.get(1);
        if (second.equals("function") || second.equals("procedure")) {
            return true;
        }
        return second.equals("or") && words.size() >= 4 && words.get(2).equals("replace")
                && (words.get(3).equals("function") || words.get(3).equals("procedure"));
    }

    /** Runs the statement read so far; returns true when it was a COPY FROM STDIN (its data has been consumed). */
    private boolean finishStatement() throws SQLException, IOException {
        String sql = statement.toString().strip();
        boolean copyIn = isCopyFromStdin();
        boolean copyOut = !copyIn && !words.isEmpty() && words.get(0).equals("copy") && words.contains("stdout");
        int line = startLine;
        resetStatement();
        if (copyOut) {
            throw new SQLException("COPY ... TO STDOUT at line " + line + " of " + source + " is not supported",
                    "0A000");
        }
        try {
            if (copyIn) {
                CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                copy.copyIn(sql, new CopyDataReader(line));
            } else {
                try (Statement s = connection.createStatement()) {
                    s.setEscapeProcessing(false);
                    s.execute(sql);
                }
            }
            executed++;
        } catch (SQLException e) {
            throw new SQLException("Statement at line " + line + " of " + source + " failed: " + e.getMessage(),
                    e.getSQLState(), e);
        }
        return copyIn;
    }

    private boolean isCopyFromStdin() {
        if (words.isEmpty() || !words.get(0).equals("copy")) {
            return false;
        }
        for (int i = 1; i + 1 < words.size(); i++) {
            if (words.get(i).equals("from") && words.get(i + 1).equals("stdin")) {
                return true;
            }
        }
        return false;
    }

    private void resetStatement() {
        statement.setLength(0);
        words.clear();
        wordCount = 0;
        parenDepth = 0;
        beginDepth = 0;
        hasContent = false;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    /** End index (exclusive) of a dollar-quote opening tag at {@code start}, or -1 when {@code $} starts none. */
    private static int dollarTagEnd(String text, int start) {
        int i = start + 1;
        if (i < text.length() && text.charAt(i) == '$') {
            return i + 1;
        }
        if (i >= text.length() || !isIdentifierStart(text.charAt(i))) {
            return -1;
        }
        while (i < text.length() && isIdentifierPart(text.charAt(i)) && text.charAt(i) != '$') {
            i++;
        }
        return i < text.length() && text.charAt(i) == '$' ? i + 1 : -1;
    }

    /** The data lines of a COPY FROM STDIN block, up to (not including) the {@code \.} line. */
    private final class CopyDataReader extends Reader {
        private final int copyLine;
        private String current = "";
        private int position;
        private boolean done;

        CopyDataReader(int copyLine) {
            this.copyLine = copyLine;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position >= current.length()) {
                if (done) {
                    return -1;
                }
                String line = reader.readLine();
                if (line == null) {
                    throw new IOException("COPY data of the statement at line " + copyLine + " of " + source
                            + " ends without a \\. line");
                }
                lineNumber++;
                if (line.equals("\\.")) {
                    done = true;
                    return -1;
                }
                current = line + "\n";
                position = 0;
            }
            int count = Math.min(length, current.length() - position);
            current.getChars(position, position + count, buffer, offset);
            position += count;
            return count;
        }

        @Override
        public void close() {
            // the script reader is owned by the caller of ScriptRunner.run
        }
    }
}
