-- Loaded after the version-specific files: default privileges change the privileges of everything created later.
ALTER DEFAULT PRIVILEGES IN SCHEMA plain GRANT SELECT ON TABLES TO "Kitchen ""Role""";
ALTER DEFAULT PRIVILEGES IN SCHEMA plain GRANT USAGE ON SEQUENCES TO "Kitchen ""Role""" WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO "Kitchen ""Role""";
-- created under those defaults
CREATE TABLE plain.after_defaults (id integer);
CREATE FUNCTION plain.after_defaults_fn() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
