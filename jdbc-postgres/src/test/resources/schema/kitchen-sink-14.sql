-- Kitchen-sink objects that need PostgreSQL 14 or newer.

-- SQL-standard function bodies depend on the tables they read (pg_depend), so they come after them; a default that
-- uses such a function on its own table is a cycle broken with ALTER TABLE ... SET DEFAULT.
CREATE FUNCTION plain.count_items() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM "Kitchen Sink"."Order ""Items""";
END;
CREATE TABLE plain.ticket (id integer, seq bigint);
CREATE FUNCTION plain.next_ticket() RETURNS bigint LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT count(*) + 1 FROM plain.ticket;
END;
ALTER TABLE plain.ticket ALTER COLUMN seq SET DEFAULT plain.next_ticket();
CREATE VIEW plain.v_count AS SELECT plain.count_items() AS n;
ALTER TABLE "Kitchen Sink"."Order ""Items""" ALTER COLUMN label SET COMPRESSION pglz;
CREATE TYPE plain.intrange2 AS RANGE (subtype = integer, multirange_type_name = plain."Int Multi");
INSERT INTO plain.ticket (id) VALUES (1), (2);
