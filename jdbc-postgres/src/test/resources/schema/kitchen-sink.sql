-- Every object kind the schema extraction must round-trip, with hostile identifiers. PostgreSQL 13 and newer;
-- kitchen-sink-14.sql and kitchen-sink-15.sql add what needs newer servers.

-- the role "Kitchen ""Role""" comes from kitchen-sink-roles.sql (roles are cluster-wide: the target needs it too)

CREATE SCHEMA "Kitchen Sink";
CREATE SCHEMA plain;
CREATE SCHEMA "ÜBER
schema";
COMMENT ON SCHEMA "Kitchen Sink" IS 'schema with a space, it''s "quoted" \ and
a newline';

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA plain;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA plain;

-- collations
CREATE COLLATION plain.c_coll (locale = 'C');
CREATE COLLATION "Kitchen Sink"."Case Insensitive" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
COMMENT ON COLLATION plain.c_coll IS 'a libc collation';

-- types
CREATE TYPE "Kitchen Sink"."Mood" AS ENUM ('sad', 'ok', 'happy ''quoted''', 'ünïcødé', '');
ALTER TYPE "Kitchen Sink"."Mood" ADD VALUE 'meh' BEFORE 'ok';
CREATE TYPE plain.pair AS (a integer, "B b" text COLLATE "C", m "Kitchen Sink"."Mood");
CREATE TYPE plain.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE "ÜBER
schema"."wrapper" AS (v integer);
CREATE DOMAIN plain.positive AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE DOMAIN plain.code AS text COLLATE "C" CONSTRAINT "code length" CHECK (length(VALUE) <= 10);
ALTER DOMAIN plain.code ADD CONSTRAINT code_not_x CHECK (VALUE <> 'x') NOT VALID;
CREATE DOMAIN plain.ci_text AS text COLLATE "Kitchen Sink"."Case Insensitive";
COMMENT ON TYPE "Kitchen Sink"."Mood" IS 'an enum';
COMMENT ON TYPE plain.pair IS 'a composite';
COMMENT ON COLUMN plain.pair."B b" IS 'a composite attribute';
COMMENT ON DOMAIN plain.positive IS 'a domain';
COMMENT ON CONSTRAINT positive_check ON DOMAIN plain.positive IS 'a domain check';

-- functions, procedures, aggregates, operators, casts
CREATE FUNCTION plain.add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT i + 1 $$;
CREATE FUNCTION plain.default_label() RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    RETURN 'label';
END
$$;
CREATE FUNCTION "Kitchen Sink"."Weird ""Fn"""(x text DEFAULT 'a', VARIADIC rest text[] DEFAULT '{}') RETURNS SETOF text
    LANGUAGE sql ROWS 10 AS $$ SELECT x UNION ALL SELECT unnest(rest) $$;
CREATE PROCEDURE plain.do_nothing(INOUT x integer) LANGUAGE plpgsql AS $$ BEGIN x := x; END $$;
CREATE FUNCTION plain.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION plain.approx_eq(a numeric, b numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT abs(a - b) < 0.01 $$;
CREATE OPERATOR plain.=~= (FUNCTION = plain.approx_eq, LEFTARG = numeric, RIGHTARG = numeric, COMMUTATOR = OPERATOR(plain.=~=));
CREATE FUNCTION "ÜBER
schema".wrapper_to_int("ÜBER
schema".wrapper) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1.v $$;
CREATE CAST ("ÜBER
schema".wrapper AS integer) WITH FUNCTION "ÜBER
schema".wrapper_to_int("ÜBER
schema".wrapper) AS ASSIGNMENT;
CREATE AGGREGATE plain.my_sum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE AGGREGATE "Kitchen Sink"."Weird Agg"(text) (SFUNC = textcat, STYPE = text, INITCOND = '', PARALLEL = safe);
CREATE AGGREGATE plain.my_avg(float8) (SFUNC = float8_accum, STYPE = float8[], FINALFUNC = float8_avg,
    COMBINEFUNC = float8_combine, INITCOND = '{0,0,0}', PARALLEL = safe);
CREATE FUNCTION plain.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
COMMENT ON FUNCTION plain.add_one(integer) IS 'a function';
COMMENT ON PROCEDURE plain.do_nothing(integer) IS 'a procedure';
COMMENT ON AGGREGATE plain.my_sum(integer) IS 'an aggregate';
COMMENT ON OPERATOR plain.=~= (numeric, numeric) IS 'an operator';
COMMENT ON CAST ("ÜBER
schema".wrapper AS integer) IS 'a cast';

-- text search
CREATE TEXT SEARCH DICTIONARY plain.simple_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION plain.my_cfg (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION plain.my_cfg ALTER MAPPING FOR asciiword WITH plain.simple_dict, english_stem;
CREATE TEXT SEARCH TEMPLATE plain.my_tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH PARSER plain.my_parser (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
    LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
COMMENT ON TEXT SEARCH CONFIGURATION plain.my_cfg IS 'a configuration';
COMMENT ON TEXT SEARCH DICTIONARY plain.simple_dict IS 'a dictionary';

-- sequences
CREATE SEQUENCE plain.odd_seq AS integer START WITH 101 INCREMENT BY 2 MINVALUE 1 MAXVALUE 100001 CACHE 5 CYCLE;
SELECT setval('plain.odd_seq', 111, true);
CREATE SEQUENCE "Kitchen Sink"."Down ""Seq""" INCREMENT BY -1;
SELECT setval('"Kitchen Sink"."Down ""Seq"""', -5, false);
COMMENT ON SEQUENCE plain.odd_seq IS 'a sequence';

-- tables
CREATE TABLE "Kitchen Sink"."Order ""Items""" (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5) CONSTRAINT "Order Items_pk" PRIMARY KEY,
    "line
break" text DEFAULT plain.default_label() NOT NULL,
    "größe" numeric(10, 2) CONSTRAINT "größe positive" CHECK ("größe" >= 0),
    mood "Kitchen Sink"."Mood" DEFAULT 'ok',
    label text COLLATE "C",
    qty plain.positive,
    total numeric GENERATED ALWAYS AS ("größe" * 2) STORED,
    counter integer DEFAULT nextval('plain.odd_seq'),
    pair plain.pair,
    during tstzrange,
    code plain.code,
    name plain.ci_text,
    "select" text COLLATE plain.c_coll
) WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);
ALTER TABLE "Kitchen Sink"."Order ""Items""" ALTER COLUMN label SET STATISTICS 500;
ALTER TABLE "Kitchen Sink"."Order ""Items""" ALTER COLUMN "line
break" SET STORAGE EXTERNAL;
ALTER TABLE "Kitchen Sink"."Order ""Items""" ALTER COLUMN label SET (n_distinct = 100);
ALTER TABLE "Kitchen Sink"."Order ""Items""" ADD CONSTRAINT qty_small CHECK (qty < 1000) NOT VALID;
ALTER TABLE "Kitchen Sink"."Order ""Items""" ADD CONSTRAINT id_positive CHECK (id > 0) NO INHERIT;
COMMENT ON TABLE "Kitchen Sink"."Order ""Items""" IS 'a table';
COMMENT ON COLUMN "Kitchen Sink"."Order ""Items"""."line
break" IS 'a column with a newline';
COMMENT ON CONSTRAINT "größe positive" ON "Kitchen Sink"."Order ""Items""" IS 'a check';
COMMENT ON CONSTRAINT "Order Items_pk" ON "Kitchen Sink"."Order ""Items""" IS 'a primary key';

CREATE UNLOGGED TABLE plain.scratch (k integer PRIMARY KEY, v text);
CREATE TABLE plain.by_default (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text);
CREATE TABLE plain.serials (id serial PRIMARY KEY, big bigserial, nothing_special text);
CREATE TABLE plain.parent_t (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE plain.child_t (a integer, b integer DEFAULT 0,
    CONSTRAINT fk_full FOREIGN KEY (a, b) REFERENCES plain.parent_t MATCH FULL ON UPDATE SET NULL ON DELETE SET DEFAULT DEFERRABLE);
ALTER TABLE plain.child_t ADD CONSTRAINT fk_not_valid FOREIGN KEY (a, b) REFERENCES plain.parent_t NOT VALID;
ALTER TABLE plain.child_t ADD CONSTRAINT fk_deferred FOREIGN KEY (a, b) REFERENCES plain.parent_t
    DEFERRABLE INITIALLY DEFERRED;
COMMENT ON CONSTRAINT fk_full ON plain.child_t IS 'a foreign key';
CREATE TABLE plain.booking (room integer, during tstzrange,
    CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&) DEFERRABLE);
ALTER TABLE plain.by_default REPLICA IDENTITY FULL;
ALTER TABLE plain.serials REPLICA IDENTITY USING INDEX serials_pkey;
ALTER TABLE plain.scratch CLUSTER ON scratch_pkey;

-- partitioning: range over list (multi-level), default partitions, hash; indexes attached to partitioned indexes
CREATE TABLE plain.events (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL, payload jsonb,
    CONSTRAINT events_id_positive CHECK (id > 0)) PARTITION BY RANGE (at);
CREATE TABLE plain.events_2024 PARTITION OF plain.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE plain.events_2024_ab PARTITION OF plain.events_2024 FOR VALUES IN ('a', 'b');
CREATE TABLE plain.events_2024_other PARTITION OF plain.events_2024 DEFAULT;
CREATE TABLE plain.events_default PARTITION OF plain.events DEFAULT;
CREATE TABLE plain.events_2023 (id bigint NOT NULL, kind text NOT NULL, at date NOT NULL, payload jsonb,
    CONSTRAINT events_id_positive CHECK (id > 0), CONSTRAINT only_2023 CHECK (at < '2024-01-01'));
ALTER TABLE plain.events ATTACH PARTITION plain.events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
ALTER TABLE plain.events ADD PRIMARY KEY (id, at, kind);
CREATE INDEX events_payload ON plain.events USING gin (payload);
CREATE INDEX events_kind_only ON ONLY plain.events (kind);
CREATE INDEX events_default_kind ON plain.events_default (kind);
ALTER INDEX plain.events_kind_only ATTACH PARTITION plain.events_default_kind;
CREATE INDEX events_2023_extra ON plain.events_2023 (id DESC NULLS LAST);
CREATE TABLE plain.hashed (id integer PRIMARY KEY, v text) PARTITION BY HASH (id);
CREATE TABLE plain.hashed_0 PARTITION OF plain.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE plain.hashed_1 PARTITION OF plain.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE plain.hashed_ref (id integer REFERENCES plain.hashed (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE plain.events_ref (id bigint, at date, kind text, FOREIGN KEY (id, at, kind) REFERENCES plain.events);
CREATE TRIGGER events_trg AFTER INSERT ON plain.events FOR EACH ROW EXECUTE FUNCTION plain.trg();
COMMENT ON TABLE plain.events IS 'a partitioned table';
COMMENT ON INDEX plain.events_payload IS 'a partitioned index';

-- indexes
CREATE INDEX "Order Items lower" ON "Kitchen Sink"."Order ""Items""" (lower(label)) WHERE qty > 1;
ALTER INDEX "Kitchen Sink"."Order Items lower" ALTER COLUMN 1 SET STATISTICS 300;
CREATE UNIQUE INDEX order_items_label_incl ON "Kitchen Sink"."Order ""Items""" (label) INCLUDE (mood);
CREATE INDEX order_items_brin ON "Kitchen Sink"."Order ""Items""" USING brin (id) WITH (pages_per_range = 16);
CREATE INDEX order_items_pattern ON "Kitchen Sink"."Order ""Items""" (label text_pattern_ops DESC NULLS LAST);
CREATE INDEX order_items_trgm ON "Kitchen Sink"."Order ""Items""" USING gin (label plain.gin_trgm_ops);
CREATE INDEX order_items_during ON "Kitchen Sink"."Order ""Items""" USING gist (during);
CREATE INDEX order_items_hash ON "Kitchen Sink"."Order ""Items""" USING hash (code);
COMMENT ON INDEX "Kitchen Sink"."Order Items lower" IS 'an expression index';
CREATE STATISTICS plain.parent_stats (dependencies, ndistinct) ON a, b FROM plain.parent_t;
ALTER STATISTICS plain.parent_stats SET STATISTICS 200;
COMMENT ON STATISTICS plain.parent_stats IS 'extended statistics';

-- inheritance and typed tables
CREATE TABLE plain.animal (id integer NOT NULL, name text DEFAULT 'x', legs integer, CONSTRAINT animal_id CHECK (id > 0));
CREATE TABLE plain.dog (breed text, legs integer NOT NULL DEFAULT 4) INHERITS (plain.animal);
ALTER TABLE plain.dog ALTER COLUMN name SET DEFAULT 'rex';
CREATE TABLE plain.cat () INHERITS (plain.animal);
ALTER TABLE plain.cat ALTER COLUMN name DROP DEFAULT;
CREATE TABLE plain.pairs OF plain.pair (a WITH OPTIONS NOT NULL DEFAULT 3, CONSTRAINT a_small CHECK (a < 100));

-- a default and a CHECK that need a function that needs the table (cycle: created after the table)
CREATE TABLE plain.cyc (id integer, val integer);
CREATE FUNCTION plain.cyc_fn(r plain.cyc) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 42 $$;
ALTER TABLE plain.cyc ALTER COLUMN val SET DEFAULT plain.cyc_fn(NULL::plain.cyc);
ALTER TABLE plain.cyc ADD CONSTRAINT cyc_check CHECK (plain.cyc_fn(NULL::plain.cyc) = 42);

-- views, in dependency order, on functions and on a primary key (functional dependency)
CREATE VIEW plain.v_base AS SELECT id, label, qty FROM "Kitchen Sink"."Order ""Items""";
ALTER VIEW plain.v_base ALTER COLUMN label SET DEFAULT 'dflt';
CREATE VIEW "Kitchen Sink"."V on V" WITH (security_barrier = true) AS
    SELECT id, label, plain.add_one(qty) AS next_qty FROM plain.v_base WHERE id > 1 WITH LOCAL CHECK OPTION;
CREATE VIEW plain.v_cascaded AS SELECT * FROM plain.v_base WHERE qty > 0 WITH CASCADED CHECK OPTION;
CREATE VIEW plain.v_grouped AS SELECT s.k, s.v, count(*) AS n FROM plain.scratch s GROUP BY s.k;
CREATE RECURSIVE VIEW plain.v_counter (n) AS SELECT 1 UNION ALL SELECT n + 1 FROM v_counter WHERE n < 5;
COMMENT ON VIEW plain.v_base IS 'a view';
COMMENT ON COLUMN plain.v_base.label IS 'a view column';

-- materialized views (one reading another; one never populated), with indexes
CREATE MATERIALIZED VIEW plain.mv AS SELECT kind, count(*) AS n FROM plain.events GROUP BY kind;
CREATE UNIQUE INDEX mv_kind ON plain.mv (kind);
CREATE MATERIALIZED VIEW plain.mv2 AS SELECT * FROM plain.mv WHERE n > 0;
CREATE MATERIALIZED VIEW plain.mv_empty AS SELECT 1 AS x WITH NO DATA;
COMMENT ON MATERIALIZED VIEW plain.mv IS 'a materialized view';

-- triggers: WHEN, disabled, always, replica, constraint triggers
CREATE TRIGGER "Before Insert" BEFORE INSERT ON "Kitchen Sink"."Order ""Items"""
    FOR EACH ROW WHEN (NEW.qty > 5) EXECUTE FUNCTION plain.trg();
CREATE TRIGGER disabled_one AFTER UPDATE ON plain.scratch FOR EACH ROW EXECUTE FUNCTION plain.trg();
ALTER TABLE plain.scratch DISABLE TRIGGER disabled_one;
CREATE TRIGGER always_one AFTER DELETE ON plain.scratch FOR EACH STATEMENT EXECUTE FUNCTION plain.trg();
ALTER TABLE plain.scratch ENABLE ALWAYS TRIGGER always_one;
CREATE TRIGGER replica_one BEFORE UPDATE OF v ON plain.scratch FOR EACH ROW EXECUTE FUNCTION plain.trg();
ALTER TABLE plain.scratch ENABLE REPLICA TRIGGER replica_one;
CREATE CONSTRAINT TRIGGER "constraint trg" AFTER INSERT ON plain.scratch DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION plain.trg();
COMMENT ON TRIGGER "Before Insert" ON "Kitchen Sink"."Order ""Items""" IS 'a trigger';

-- rules
CREATE RULE "no delete" AS ON DELETE TO plain.serials DO INSTEAD NOTHING;
CREATE RULE notify_rule AS ON UPDATE TO plain.animal DO ALSO NOTIFY animal;
ALTER TABLE plain.animal DISABLE RULE notify_rule;
CREATE RULE v_insert AS ON INSERT TO plain.v_grouped DO INSTEAD INSERT INTO plain.scratch VALUES (NEW.k, NEW.v);
COMMENT ON RULE "no delete" ON plain.serials IS 'a rule';

-- row-level security
ALTER TABLE plain.scratch ENABLE ROW LEVEL SECURITY;
ALTER TABLE plain.scratch FORCE ROW LEVEL SECURITY;
ALTER TABLE plain.by_default ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own rows" ON plain.scratch FOR SELECT USING (k > 0);
CREATE POLICY restrictive_p ON plain.scratch AS RESTRICTIVE FOR UPDATE TO "Kitchen ""Role""", pg_monitor
    USING (true) WITH CHECK (v <> '');
CREATE POLICY ins ON plain.by_default FOR INSERT TO PUBLIC WITH CHECK (note IS NOT NULL);
COMMENT ON POLICY "own rows" ON plain.scratch IS 'a policy';

-- event trigger (disabled, so it does not fire during the test's DDL)
CREATE EVENT TRIGGER "kitchen evt" ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION plain.evt();
ALTER EVENT TRIGGER "kitchen evt" DISABLE;
COMMENT ON EVENT TRIGGER "kitchen evt" IS 'an event trigger';

-- privileges and owners (compared only by the test that includes them)
GRANT USAGE ON SCHEMA plain TO "Kitchen ""Role""";
GRANT SELECT, INSERT ON plain.scratch TO "Kitchen ""Role""" WITH GRANT OPTION;
GRANT SELECT (label), UPDATE (label) ON "Kitchen Sink"."Order ""Items""" TO pg_monitor;
REVOKE EXECUTE ON FUNCTION plain.add_one(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plain.add_one(integer) TO "Kitchen ""Role""";
GRANT USAGE ON SEQUENCE plain.odd_seq TO "Kitchen ""Role""";
REVOKE USAGE ON TYPE "Kitchen Sink"."Mood" FROM PUBLIC;
ALTER TABLE plain.parent_t OWNER TO "Kitchen ""Role""";

-- rows (so data copy, sequence values and refreshes are exercised)
INSERT INTO "Kitchen Sink"."Order ""Items""" ("line
break", "größe", mood, label, qty, pair, during, code, name, "select")
VALUES ('first', 1.50, 'happy ''quoted''', 'L1', 2, ROW(1, 'x', 'ünïcødé'), '[2024-01-01,2024-02-01)', 'abc', 'Name', 's'),
       (E'tab\there\nnewline \\N', NULL, '', NULL, 7, NULL, NULL, NULL, NULL, NULL);
INSERT INTO plain.scratch VALUES (1, 'one'), (2, '');
INSERT INTO plain.by_default (note) VALUES ('n1'), ('n2'), ('n3');
INSERT INTO plain.serials (nothing_special) VALUES ('a'), ('b');
INSERT INTO plain.parent_t VALUES (1, 1), (0, 0);
INSERT INTO plain.child_t VALUES (1, 1);
INSERT INTO plain.events VALUES (1, '2024-03-01', 'a', '{"k": [1, 2]}'), (2, '2024-03-01', 'z', NULL),
    (3, '2023-05-05', 'c', '{}'), (4, '2030-01-01', 'd', 'null');
INSERT INTO plain.hashed VALUES (1, 'h1'), (2, 'h2'), (3, 'h3');
INSERT INTO plain.hashed_ref VALUES (1), (3);
INSERT INTO plain.dog (id, name, breed) VALUES (1, 'Rex', 'lab');
INSERT INTO plain.pairs (m) VALUES ('ok');
INSERT INTO plain.cyc (id) VALUES (1);
REFRESH MATERIALIZED VIEW plain.mv;
REFRESH MATERIALIZED VIEW plain.mv2;

-- operator families and classes (one with a separately created family and a loose member, one with its own family),
-- used by an index and an exclusion constraint
CREATE FUNCTION plain.rev_cmp(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT btint4cmp($2, $1) $$;
CREATE OPERATOR FAMILY plain."Rev Family" USING btree;
CREATE OPERATOR CLASS plain.rev_int_ops FOR TYPE integer USING btree FAMILY plain."Rev Family" AS
    OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 plain.rev_cmp(integer, integer);
ALTER OPERATOR FAMILY plain."Rev Family" USING btree ADD OPERATOR 3 = (integer, bigint);
CREATE OPERATOR CLASS plain.text_hash_ops FOR TYPE text USING hash AS OPERATOR 1 =, FUNCTION 1 hashtext(text);
CREATE INDEX scratch_rev ON plain.scratch (k plain.rev_int_ops);
CREATE TABLE plain.rev_excl (k integer, CONSTRAINT rev_excl_k EXCLUDE USING btree (k plain.rev_int_ops WITH =));
CREATE INDEX scratch_v_hash ON plain.scratch USING hash (v plain.text_hash_ops);
COMMENT ON OPERATOR CLASS plain.rev_int_ops USING btree IS 'an operator class';
COMMENT ON OPERATOR FAMILY plain."Rev Family" USING btree IS 'an operator family';

-- NOT VALID constraints are added after the data: rows that break them must still restore
ALTER DOMAIN plain.code DROP CONSTRAINT code_not_x;
ALTER TABLE "Kitchen Sink"."Order ""Items""" DROP CONSTRAINT qty_small;
INSERT INTO "Kitchen Sink"."Order ""Items""" ("line
break", qty, code) VALUES ('breaks NOT VALID constraints', 5000, 'x');
ALTER DOMAIN plain.code ADD CONSTRAINT code_not_x CHECK (VALUE <> 'x') NOT VALID;
ALTER TABLE "Kitchen Sink"."Order ""Items""" ADD CONSTRAINT qty_small CHECK (qty < 1000) NOT VALID;

-- an INSTEAD OF trigger on a view; grants and a comment on an identity sequence
CREATE FUNCTION plain.v_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER v_instead INSTEAD OF UPDATE ON plain.v_base FOR EACH ROW EXECUTE FUNCTION plain.v_trg();
GRANT SELECT ON SEQUENCE plain.by_default_id_seq TO "Kitchen ""Role""";
COMMENT ON SEQUENCE plain.by_default_id_seq IS 'an identity sequence';

-- cycles pg_dump breaks: a view whose query calls a function returning the view's rows (stub view, then CREATE OR
-- REPLACE VIEW), and a domain CHECK calling a function that takes the domain (ALTER DOMAIN ... ADD CONSTRAINT later)
CREATE VIEW plain."V Loop" AS SELECT 1 AS n, 'x'::text COLLATE "C" AS t;
CREATE FUNCTION plain.v_loop_rows() RETURNS SETOF plain."V Loop" LANGUAGE sql AS $$ SELECT 1, 'y'::text $$;
CREATE OR REPLACE VIEW plain."V Loop" AS SELECT n, t FROM plain.v_loop_rows();
CREATE VIEW plain.v_on_loop AS SELECT n FROM plain."V Loop";
CREATE DOMAIN plain.even AS integer;
CREATE FUNCTION plain.is_even(plain.even) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 % 2 = 0 $$;
ALTER DOMAIN plain.even ADD CONSTRAINT even_check CHECK (plain.is_even(VALUE));

-- ordered-set and hypothetical-set aggregates
CREATE AGGREGATE plain.my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi,
    STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE AGGREGATE plain.my_mode(ORDER BY anyelement) (SFUNC = ordered_set_transition, STYPE = internal,
    FINALFUNC = mode_final, FINALFUNC_EXTRA);
