package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;

/** Comments (pg_description) on every object this extraction names, including columns. */
final class CommentReader {

    private final CatalogContext ctx;

    CommentReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        // sorted by statement, not by OID: two databases with the same schema give the same script
        java.util.List<java.util.Map.Entry<DumpItem, String>> comments = new java.util.ArrayList<>();
        ctx.query("SELECT d.classoid, d.objoid, d.objsubid, d.description FROM pg_catalog.pg_description d"
                + " WHERE d.objoid >= 16384 OR d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
                + " ORDER BY d.classoid, d.objoid, d.objsubid", rs -> {
            long classId = rs.getLong("classoid");
            long oid = rs.getLong("objoid");
            int sub = rs.getInt("objsubid");
            String text = SqlText.literal(rs.getString("description"));
            if (sub != 0) {
                if (classId != CatalogRef.PG_CLASS) {
                    return;
                }
                CatalogContext.Columns cols = ctx.columns.get(oid);
                String col = cols == null ? null : cols.quotedNames().get(sub);
                if (col != null) {
                    comments.add(java.util.Map.entry(cols.item(), "COMMENT ON COLUMN " + cols.qualifiedName() + "." + col + " IS " + text));
                }
                return;
            }
            CatalogContext.Named named = ctx.named.get(CatalogRef.of(classId, oid));
            if (named == null || named.commentTarget() == null) {
                return;
            }
            if (named.commentTarget().equals("SCHEMA \"public\"")
                    && SchemaReader.PUBLIC_SCHEMA_COMMENT.equals(rs.getString("description"))) {
                return; // the default; the public schema may not be ours to comment on
            }
            comments.add(java.util.Map.entry(named.item(), "COMMENT ON " + named.commentTarget() + " IS " + text));
        });
        comments.sort(java.util.Map.Entry.comparingByValue());
        comments.forEach(c -> c.getKey().trailer(c.getValue()));
    }
}
