package dev.keepsake.postgres.internal.schema;

/** Quoting for the SQL this package writes. Stateless. */
final class SqlText {

    private SqlText() {
    }

    /** Always double-quotes: correct for every identifier whatever the keyword list of the target server. */
    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal that means the same whatever {@code standard_conforming_strings} is (like quote_literal). */
    static String literal(String value) {
        String doubled = value.replace("'", "''");
        if (value.indexOf('\\') >= 0) {
            return "E'" + doubled.replace("\\", "\\\\") + "'";
        }
        return "'" + doubled + "'";
    }

    /** {@code literal(value)} or {@code NULL}. */
    static String literalOrNull(String value) {
        return value == null ? "NULL" : literal(value);
    }

    /** Removes trailing white space and one trailing semicolon (pg_get_viewdef and pg_get_ruledef end with one). */
    static String stripSemicolon(String sql) {
        String s = sql.stripTrailing();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        return s;
    }
}
