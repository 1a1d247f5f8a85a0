-- Nexo's two database roles. Run once per cluster as a superuser:
--   psql -v ON_ERROR_STOP=1 -f deploy/postgres/roles.sql
-- nexo_owner owns the schema and runs `nexo migrate`; nexo_app is what
-- `nexo serve` connects as: not superuser, no BYPASSRLS, owns nothing, so the
-- FORCEd row-level security policies apply to every query it makes.
-- Set passwords in production: ALTER ROLE nexo_app PASSWORD '...';
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexo_owner') THEN
        CREATE ROLE nexo_owner LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexo_app') THEN
        CREATE ROLE nexo_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
ALTER ROLE nexo_app NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
