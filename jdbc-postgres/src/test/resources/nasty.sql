-- A schema with nasty identifiers and nasty data, and one of most object kinds applications use.
-- Runs on PostgreSQL 13-18 (numeric infinities, PG14+, are added by the test).
CREATE SCHEMA "Nasty ""Schema""
 ü";
CREATE SCHEMA plain;
COMMENT ON SCHEMA plain IS 'a plain schema, with a ''quoted'' comment';

CREATE TYPE "Nasty ""Schema""
 ü"."Mood ""x""" AS ENUM ('sad', 'ok', 'happy "', E'tab\there', '');
CREATE TYPE plain.pair AS (a integer, b text);
CREATE DOMAIN plain.posint AS integer CONSTRAINT "positive!" CHECK (VALUE > 0);
CREATE TYPE plain.floatrange AS RANGE (subtype = float8);
CREATE COLLATION plain."nasty coll" FROM "C";

CREATE SEQUENCE plain.ticket START 1000 INCREMENT 7;
SELECT nextval('plain.ticket'), nextval('plain.ticket');

CREATE TABLE "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    t text,
    e text DEFAULT '',
    b bytea,
    n numeric,
    f8 double precision,
    f4 real,
    ts timestamp,
    tstz timestamptz,
    d date,
    i interval,
    arr plain.pair[],
    j jsonb,
    js json,
    mood "Nasty ""Schema""
 ü"."Mood ""x""",
    p plain.posint,
    "UPPER Case" integer,
    "ünï ""q""
 nl" text COLLATE plain."nasty coll",
    gen integer GENERATED ALWAYS AS (p * 2) STORED,
    r tstzrange,
    ip inet,
    u uuid,
    bits bit varying(20),
    a2 text[],
    ticket integer DEFAULT nextval('plain.ticket')
);
COMMENT ON TABLE "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" IS E'comment with\nnewline and ''quote''';
COMMENT ON COLUMN "Nasty ""Schema""
 ü"."Täble ""1""
 with newline".t IS 'the text';
CREATE INDEX "idx ""t"" lower" ON "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (lower(left(t, 100))) WHERE t IS NOT NULL;
CREATE INDEX j_gin ON "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" USING gin (j);

INSERT INTO "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (t) VALUES (NULL);
INSERT INTO "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (t, e, b, n, f8, f4, ts, tstz, d, i, arr, j, js, mood, p, "UPPER Case", "ünï ""q""
 nl", r, ip, u, bits, a2)
VALUES
 ('', '', '', 0, 0, 0, '2000-01-01', '2000-01-01 00:00:00+00', '2000-01-01', '0', '{}', '{}', '{}', 'sad', 1, 0, '', 'empty', '::1', '00000000-0000-0000-0000-000000000000', B'', '{}'),
 (E'\\N', E'\\N', E'\\x5c4e', 'NaN', 'NaN', 'NaN', 'infinity', 'infinity', 'infinity', '-178000000 years', NULL, 'null', 'null', 'ok', 2, -1, E'\\N', '[,)', '10.0.0.0/8', 'ffffffff-ffff-ffff-ffff-ffffffffffff', B'1', '{NULL}'),
 (E'tab\there\nnewline\\backslash\rcr\x01ctrl', E'\\.', NULL, '-0.000000000000000000000000001', 'Infinity', 'Infinity', '-infinity', '-infinity', '-infinity', '1 year 2 mons 3 days 04:05:06.789', ARRAY[ROW(1, 'a,b')::plain.pair, ROW(NULL, E'q"uote\\')::plain.pair, ROW(2, NULL)::plain.pair, NULL], '{"a": "\u00e9", "b": [1, 2.50, null], "nested": {"x": "line\nbreak"}}', '{"a":1,  "a":2 }', 'happy "', 3, 2147483647, E'ünï\ncöde 😀 日本語', '["2000-01-01 00:00:00+00","2001-01-01 00:00:00+00")', '2001:db8::1/128', '12345678-1234-1234-1234-123456789abc', B'10101010101010101010', ARRAY[E'a\tb', '"quoted"', 'NULL', '', NULL]),
 ('99999999999999999999999999999999999999.000000000000000000000000000001', 'x', NULL, 123456789012345678901234567890.123456789, '-Infinity', '-Infinity', '4713-01-01 00:00:00 BC', '294276-12-31 23:59:59.999999+00', '5874897-12-31', '-1 days -00:00:01', ARRAY[]::plain.pair[], '[]', '[ ]', E'tab\there', 4, NULL, ' leading and trailing ', 'empty', NULL, NULL, NULL, ARRAY[['a','b'],['c','d']]),
 ('denormal', '', NULL, 1e-300, 4.9e-324, 1.4e-45, '2000-02-29 12:34:56.789012', '1999-12-31 23:59:59.999999-12', '2000-02-29', '1 microsecond', NULL, '{"deep": {"deeper": [{"x": [[]]}]}}', '"scalar"', '', 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('minus zero', '', NULL, -0.0, '-0', '-0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('point one plus point two', '', NULL, 0.1 + 0.2, 0.1::float8 + 0.2::float8, 0.1::float4 + 0.2::float4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- bytea with every byte value, and a large text (~10 MB, larger than a chunk)
INSERT INTO "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (t, b)
SELECT 'all bytes', decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g), 'hex') FROM generate_series(0, 255) g;
INSERT INTO "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" (t, b)
SELECT repeat(E'abc\t\n\\ ü', 1100000), decode(repeat('00ff', 100000), 'hex');
UPDATE "Nasty ""Schema""
 ü"."Täble ""1""
 with newline" SET "UPPER Case" = 7 WHERE t = '';

-- partitioning: range (with default), list, hash; an index on the partitioned table
CREATE TABLE plain.events (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE plain.events_2023 PARTITION OF plain.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE plain.events_2024 PARTITION OF plain.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (kind);
CREATE TABLE plain.events_2024_a PARTITION OF plain.events_2024 FOR VALUES IN ('a', 'A');
CREATE TABLE plain.events_2024_rest PARTITION OF plain.events_2024 DEFAULT;
CREATE TABLE plain.events_other PARTITION OF plain.events DEFAULT;
ALTER TABLE plain.events ADD PRIMARY KEY (id, at, kind);
CREATE INDEX events_kind ON plain.events (kind) INCLUDE (payload);
INSERT INTO plain.events SELECT g, date '2023-01-01' + g % 800, (ARRAY['a', 'b', 'A', 'zz'])[1 + g % 4], jsonb_build_object('g', g) FROM generate_series(1, 3000) g;
CREATE TABLE plain.hashed (k integer NOT NULL, v text) PARTITION BY HASH (k);
CREATE TABLE plain.hashed_0 PARTITION OF plain.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE plain.hashed_1 PARTITION OF plain.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO plain.hashed SELECT g, md5(g::text) FROM generate_series(1, 500) g;

-- keys, exclusion, deferrable foreign keys, unlogged, storage parameters
CREATE TABLE plain.parent (id integer PRIMARY KEY, name text UNIQUE NOT NULL, CHECK (length(name) > 0)) WITH (fillfactor = 70);
CREATE TABLE plain.child (id serial PRIMARY KEY, parent_id integer REFERENCES plain.parent (id) DEFERRABLE INITIALLY DEFERRED,
    during tstzrange, EXCLUDE USING gist (during WITH &&));
CREATE UNLOGGED TABLE plain.cache (k text PRIMARY KEY, v bytea);
INSERT INTO plain.parent SELECT g, 'p' || g FROM generate_series(1, 200) g;
INSERT INTO plain.child (parent_id, during) SELECT g % 200 + 1, tstzrange(timestamptz '2020-01-01' + g * interval '1 hour', timestamptz '2020-01-01' + (g + 1) * interval '1 hour') FROM generate_series(1, 1000) g;
INSERT INTO plain.cache VALUES ('a', '\x00'), ('b', NULL);
CREATE INDEX child_brin ON plain.child USING brin (id);
CREATE TABLE plain.empty ();
CREATE TABLE plain.no_rows (x integer);
INSERT INTO plain.empty DEFAULT VALUES;
INSERT INTO plain.empty DEFAULT VALUES;

-- functions, procedures, aggregates, triggers (WHEN, disabled), rules, views, materialized views, RLS
CREATE FUNCTION plain.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := NEW.name || ''; RETURN NEW; END $$;
CREATE TRIGGER "touch ""it""" BEFORE UPDATE ON plain.parent FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION plain.touch();
CREATE TRIGGER disabled_one BEFORE INSERT ON plain.parent FOR EACH ROW EXECUTE FUNCTION plain.touch();
ALTER TABLE plain.parent DISABLE TRIGGER disabled_one;
CREATE PROCEDURE plain.noop(x integer) LANGUAGE sql AS $$ SELECT x $$;
CREATE FUNCTION plain.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a + b';
CREATE AGGREGATE plain.total(integer) (sfunc = plain.add, stype = integer, initcond = '0');
CREATE VIEW plain.parent_names WITH (security_barrier) AS SELECT id, name FROM plain.parent WHERE id > 10 WITH CASCADED CHECK OPTION;
CREATE VIEW plain.counts AS SELECT p.name, count(c.id) AS n FROM plain.parent p LEFT JOIN plain.child c ON c.parent_id = p.id GROUP BY p.name;
CREATE MATERIALIZED VIEW plain.counts_mv AS SELECT * FROM plain.counts WITH DATA;
CREATE UNIQUE INDEX counts_mv_name ON plain.counts_mv (name);
CREATE RULE no_delete AS ON DELETE TO plain.cache DO INSTEAD NOTHING;
ALTER TABLE plain.child ENABLE ROW LEVEL SECURITY;
ALTER TABLE plain.child FORCE ROW LEVEL SECURITY;
CREATE POLICY "only ""some""" ON plain.child USING (parent_id > 0) WITH CHECK (parent_id < 1000);
CREATE TEXT SEARCH CONFIGURATION plain.nasty_fts (COPY = pg_catalog.english);
SELECT setval('plain.child_id_seq', 5000);
