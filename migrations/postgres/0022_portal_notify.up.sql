-- Customer notifications (P7, F6). A portal user reads the portal and its
-- emails in locale ('' follows the tenant's default language) and may turn
-- off the emails about their orders and documents.
ALTER TABLE portal_users ADD COLUMN locale text NOT NULL DEFAULT '' CHECK (locale IN ('', 'en', 'es'));
ALTER TABLE portal_users ADD COLUMN notify_orders boolean NOT NULL DEFAULT true;

-- One row per outbox event whose customer emails were enqueued, written in
-- the same transaction as the emails: a redelivered event finds its row and
-- sends nothing again. event_at is the event's own time, for purging.
CREATE TABLE portal_notices (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id   uuid PRIMARY KEY,
    topic      text NOT NULL,
    account_id uuid NOT NULL,
    emails     integer NOT NULL CHECK (emails >= 0),
    event_at   timestamptz NOT NULL
);
CREATE INDEX portal_notices_event_at ON portal_notices (tenant_id, event_at);

ALTER TABLE portal_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_notices USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
