-- Portal branding (T6, P7): the name and accent colour customers see, and
-- the logo, kept apart from tenants so that reading a tenant never loads it.
ALTER TABLE tenants ADD COLUMN portal_name text NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN accent_color text NOT NULL DEFAULT '#1c5fd4'
    CHECK (accent_color ~ '^#[0-9a-f]{6}$');

CREATE TABLE tenant_logos (
    tenant_id    uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    data         bytea NOT NULL,
    etag         text NOT NULL,
    updated_at   timestamptz NOT NULL
);
ALTER TABLE tenant_logos ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_logos FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_logos
    USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
