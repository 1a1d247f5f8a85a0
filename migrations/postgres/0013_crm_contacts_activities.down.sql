DROP TABLE IF EXISTS activities;
DROP TABLE IF EXISTS contacts;
DROP INDEX IF EXISTS accounts_email_lower;
DROP INDEX IF EXISTS accounts_tax_key;
DROP INDEX IF EXISTS accounts_name_key;
ALTER TABLE accounts DROP COLUMN IF EXISTS tax_key;
ALTER TABLE accounts DROP COLUMN IF EXISTS name_key;
