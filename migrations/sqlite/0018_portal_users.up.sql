-- Portal identity (P1): a portal user is one contact of a customer account
-- who may log in at the tenant's portal. Email is unique per tenant and
-- stored lowercased; at most one portal user per contact. account_id is the
-- binding every portal read filters by; the session check also requires the
-- contact to still belong to that account, so a binding never silently moves.
-- password_hash is '' until the invitation is accepted.
CREATE TABLE portal_users (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             TEXT PRIMARY KEY,
    contact_id     TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    email          TEXT NOT NULL CHECK (email <> '' AND email = lower(email)),
    password_hash  TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    invited_by     TEXT,
    last_login_at  TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, contact_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX portal_users_account ON portal_users (tenant_id, account_id, id);

-- Single-use invitation and magic-link tokens (U5): only the SHA-256 of the
-- 256-bit token is stored.
CREATE TABLE portal_tokens (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT PRIMARY KEY,
    portal_user_id  TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('invite', 'magic')),
    token_hash      TEXT NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_tokens_user ON portal_tokens (tenant_id, portal_user_id, id);
