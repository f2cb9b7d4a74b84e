-- Kitchen-sink objects that need PostgreSQL 17 or newer.
CREATE TABLE plain.id_parted (id integer GENERATED ALWAYS AS IDENTITY, v text NOT NULL) PARTITION BY LIST (v);
CREATE TABLE plain.id_parted_a PARTITION OF plain.id_parted FOR VALUES IN ('a');
CREATE TABLE plain.id_parted_b PARTITION OF plain.id_parted FOR VALUES IN ('b');
INSERT INTO plain.id_parted (v) VALUES ('a'), ('b'), ('b');
CREATE COLLATION plain.builtin_c (provider = builtin, locale = 'C.UTF-8');
CREATE DOMAIN plain.nn_domain AS integer CONSTRAINT "domain not null" NOT NULL;
