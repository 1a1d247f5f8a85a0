DROP TABLE IF EXISTS portal_notices;
ALTER TABLE portal_users DROP COLUMN notify_orders;
ALTER TABLE portal_users DROP COLUMN locale;
