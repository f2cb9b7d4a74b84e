package dev.keepsake.postgres.internal.schema;

/** A catalog row as pg_depend and pg_description name it: the catalog's OID and the row's OID. */
record CatalogRef(long classId, long objectId) {

    static final long PG_CLASS = 1259;
    static final long PG_TYPE = 1247;
    static final long PG_PROC = 1255;
    static final long PG_NAMESPACE = 2615;
    static final long PG_CONSTRAINT = 2606;
    static final long PG_ATTRDEF = 2604;
    static final long PG_REWRITE = 2618;
    static final long PG_TRIGGER = 2620;
    static final long PG_EXTENSION = 3079;
    static final long PG_POLICY = 3256;
    static final long PG_COLLATION = 3456;
    static final long PG_TS_CONFIG = 3602;
    static final long PG_TS_DICT = 3600;
    static final long PG_TS_PARSER = 3601;
    static final long PG_TS_TEMPLATE = 3764;
    static final long PG_OPERATOR = 2617;
    static final long PG_OPCLASS = 2616;
    static final long PG_OPFAMILY = 2753;
    static final long PG_CAST = 2605;
    static final long PG_STATISTIC_EXT = 3381;
    static final long PG_EVENT_TRIGGER = 3466;

    static CatalogRef of(long classId, long objectId) {
        return new CatalogRef(classId, objectId);
    }
}
