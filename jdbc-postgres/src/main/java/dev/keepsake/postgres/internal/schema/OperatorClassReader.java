package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Operator classes and families defined in the schemas in scope (outside extensions). */
final class OperatorClassReader {

    private final CatalogContext ctx;

    OperatorClassReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        List<String> found = new ArrayList<>();
        ctx.query("SELECT 'operator family ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(f.opfname)"
                + " || ' USING ' || am.amname, f.oid, 'f' FROM pg_catalog.pg_opfamily f"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod"
                + " WHERE " + ctx.inScope("f.opfnamespace")
                + " UNION ALL SELECT 'operator class ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.opcname)"
                + " || ' USING ' || am.amname, c.oid, 'c' FROM pg_catalog.pg_opclass c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod"
                + " WHERE " + ctx.inScope("c.opcnamespace") + " ORDER BY 1", rs -> {
            long classId = rs.getString(3).equals("f") ? CatalogRef.PG_OPFAMILY : CatalogRef.PG_OPCLASS;
            if (!ctx.isExtensionMember(classId, rs.getLong(2))) {
                found.add(rs.getString(1));
            }
        });
        if (!found.isEmpty()) {
            ctx.refusals.add("operator classes and families are not supported: " + String.join(", ", found));
        }
    }
}
