-- Roles the kitchen sink grants to; cluster-wide, so created (once) on the source's and the target's servers.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Kitchen "Role"') THEN
        CREATE ROLE "Kitchen ""Role""" NOLOGIN;
    END IF;
END
$$;
