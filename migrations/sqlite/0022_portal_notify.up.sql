-- Customer notifications (P7, F6). A portal user reads the portal and its
-- emails in locale ('' follows the tenant's default language) and may turn
-- off the emails about their orders and documents.
ALTER TABLE portal_users ADD COLUMN locale TEXT NOT NULL DEFAULT '' CHECK (locale IN ('', 'en', 'es'));
ALTER TABLE portal_users ADD COLUMN notify_orders BOOLEAN NOT NULL DEFAULT true;

-- One row per outbox event whose customer emails were enqueued, written in
-- the same transaction as the emails: a redelivered event finds its row and
-- sends nothing again. event_at is the event's own time, for purging.
CREATE TABLE portal_notices (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id   TEXT PRIMARY KEY,
    topic      TEXT NOT NULL,
    account_id TEXT NOT NULL,
    emails     INTEGER NOT NULL CHECK (emails >= 0),
    event_at   TIMESTAMP NOT NULL
);
CREATE INDEX portal_notices_event_at ON portal_notices (tenant_id, event_at);
