DROP TABLE IF EXISTS tenant_logos;
ALTER TABLE tenants DROP COLUMN accent_color;
ALTER TABLE tenants DROP COLUMN portal_name;
