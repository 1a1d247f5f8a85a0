DROP TABLE IF EXISTS tenant_logos;
ALTER TABLE tenants DROP COLUMN IF EXISTS accent_color;
ALTER TABLE tenants DROP COLUMN IF EXISTS portal_name;
