-- Kitchen-sink objects that need PostgreSQL 15 or newer.
CREATE UNLOGGED SEQUENCE plain.unlogged_seq;
CREATE TABLE plain.nulls_nd (a integer, b integer, CONSTRAINT nnd UNIQUE NULLS NOT DISTINCT (a, b));
CREATE UNIQUE INDEX nulls_nd_b ON plain.nulls_nd (b) NULLS NOT DISTINCT;
CREATE VIEW plain.v_invoker WITH (security_invoker = true) AS SELECT a FROM plain.nulls_nd;
-- a partition's clone of its parent's trigger, disabled on that partition only
ALTER TABLE plain.events_default DISABLE TRIGGER events_trg;
