-- Sessions (U3, QUALITY F1): the database is the source of truth, the cache
-- (Redis) only a short-lived read-through copy, so a dead Redis logs nobody
-- out and a revocation is a row delete. id_hash is the SHA-256 of the cookie
-- value "<tenant id>.<256 random bits>"; the raw value is never stored.
-- user_id is a staff user (kind 'user') or a portal user (kind 'customer'),
-- so it has no foreign key; the tenant's deletion removes its sessions.
-- expires_at = min(last_seen + idle, created_at + absolute) as of the last
-- write: the sweep deletes by it; reads re-check the timeouts from
-- created_at and last_seen.
CREATE TABLE sessions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id_hash     text NOT NULL CHECK (length(id_hash) = 64),
    user_id     uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('user', 'customer')),
    csrf        text NOT NULL,
    created_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id_hash)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expiry ON sessions (tenant_id, expires_at);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
