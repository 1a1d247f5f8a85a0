-- Portal branding (T6, P7): the name and accent colour customers see, and
-- the logo, kept apart from tenants so that reading a tenant never loads it.
ALTER TABLE tenants ADD COLUMN portal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN accent_color TEXT NOT NULL DEFAULT '#1c5fd4';

CREATE TABLE tenant_logos (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    data         BLOB NOT NULL,
    etag         TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
