-- Platform foundation: tenants, identity, roles, API keys, audit, outbox,
-- idempotency. Tenant tables get RLS (see the end of this file).

CREATE FUNCTION nexo_current_tenant() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
    id             uuid PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleting')),
    plan           text NOT NULL DEFAULT 'trial',
    billing_state  text NOT NULL DEFAULT 'trialing' CHECK (billing_state IN ('trialing', 'active', 'past_due', 'canceled')),
    trial_ends_at  timestamptz NOT NULL,
    base_currency  text NOT NULL DEFAULT 'EUR',
    locale         text NOT NULL DEFAULT 'en',
    timezone       text NOT NULL DEFAULT 'UTC',
    require_totp   boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE users (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid PRIMARY KEY,
    email          text NOT NULL,
    name           text NOT NULL,
    password_hash  text NOT NULL DEFAULT '',
    status         text NOT NULL CHECK (status IN ('active', 'disabled')),
    totp_secret    text NOT NULL DEFAULT '',
    totp_enabled   boolean NOT NULL DEFAULT false,
    totp_last_step bigint NOT NULL DEFAULT 0,
    last_login_at  timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE roles (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    permissions  text NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE invites (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    email        text NOT NULL,
    name         text NOT NULL DEFAULT '',
    roles        text NOT NULL DEFAULT '[]',
    token_hash   text NOT NULL,
    invited_by   uuid NOT NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE password_resets (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL,
    token_hash  text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE api_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    prefix        text NOT NULL,
    secret_hash   text NOT NULL,
    role          text NOT NULL,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, secret_hash),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE audit_events (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    at           timestamptz NOT NULL,
    actor_type   text NOT NULL,
    actor_id     text NOT NULL,
    action       text NOT NULL,
    resource     text NOT NULL,
    resource_id  text NOT NULL,
    before       text,
    after        text,
    request_id   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id)
);
CREATE INDEX audit_events_tenant_at ON audit_events (tenant_id, at DESC, id DESC);

-- Platform tables (no RLS, listed in the catalog test): the casbin policy
-- store is read whole by every instance's enforcer; the outbox is drained by
-- the dispatcher across tenants; idempotency records are keyed by a scope the
-- server derives from the caller's credential.
CREATE TABLE casbin_rules (
    id     bigserial PRIMARY KEY,
    ptype  text NOT NULL,
    v0     text NOT NULL DEFAULT '',
    v1     text NOT NULL DEFAULT '',
    v2     text NOT NULL DEFAULT '',
    v3     text NOT NULL DEFAULT '',
    v4     text NOT NULL DEFAULT '',
    v5     text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX casbin_rules_unique ON casbin_rules (ptype, v0, v1, v2, v3, v4, v5);
-- Per-tenant reloads read one domain: p rules keep it in v1, g rules in v2.
CREATE INDEX casbin_rules_p_domain ON casbin_rules (v1, ptype);
CREATE INDEX casbin_rules_g_domain ON casbin_rules (v2, ptype);

CREATE TABLE outbox_events (
    id               uuid PRIMARY KEY,
    tenant_id        uuid REFERENCES tenants (id) ON DELETE CASCADE,
    topic            text NOT NULL,
    payload          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    locked_until     timestamptz,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    done_at          timestamptz
);
CREATE INDEX outbox_events_due ON outbox_events (status, next_attempt_at);

CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    body          bytea NOT NULL,
    content_type  text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Row-level security: the second wall. The app role sees only the rows of the
-- tenant bound to its transaction (set_config('app.tenant_id', ..., true)).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'roles', 'invites', 'password_resets', 'api_keys', 'audit_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;

-- Login and password-reset requests may name only an email: they read the
-- users rows with exactly that email, across tenants, and nothing else.
CREATE POLICY login_lookup ON users FOR SELECT
    USING (email = nullif(current_setting('app.login_email', true), ''));
