DROP INDEX IF EXISTS payments_external_ref;
ALTER TABLE payments DROP COLUMN IF EXISTS external_ref;
DROP TABLE IF EXISTS stripe_connect_events;
DROP TABLE IF EXISTS payment_attempts;
DROP TABLE IF EXISTS payment_settings;
DROP INDEX IF EXISTS tenants_stripe_connect_account;
ALTER TABLE tenants DROP COLUMN IF EXISTS stripe_connect_account_id;
