-- Kitchen-sink objects that need PostgreSQL 18 or newer: named, NO INHERIT and NOT VALID not-null constraints,
-- virtual generated columns.
CREATE TABLE plain.nn18 (a integer CONSTRAINT "a must be set" NOT NULL, b integer NOT NULL NO INHERIT, c integer,
    d integer GENERATED ALWAYS AS (a * 2) VIRTUAL);
INSERT INTO plain.nn18 (a, b, c) VALUES (1, 2, NULL);
ALTER TABLE plain.nn18 ADD CONSTRAINT c_not_null_yet NOT NULL c NOT VALID;
