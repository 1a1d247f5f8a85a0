-- Compose only: passwords for the two roles and the database owned by
-- nexo_owner. Production sets its own passwords.
ALTER ROLE nexo_owner PASSWORD 'owner';
ALTER ROLE nexo_app PASSWORD 'app';
ALTER DATABASE nexo OWNER TO nexo_owner;
