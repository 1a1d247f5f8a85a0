-- A return whose received units were invoiced on several invoices is
-- credited with one credit note per invoice. returns.credit_note_id keeps
-- the first (a refunded return has one, as before); this table lists all
-- of them, each credit note belonging to at most one return.
CREATE TABLE return_credit_notes (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    return_id       uuid NOT NULL,
    credit_note_id  uuid NOT NULL,
    position        integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, credit_note_id),
    UNIQUE (tenant_id, return_id, position),
    FOREIGN KEY (tenant_id, return_id) REFERENCES returns (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id)
);

-- Returns refunded before this migration had exactly one credit note. The
-- backfill spans every tenant, so FORCE row level security is lifted for
-- it only, inside this migration's transaction.
ALTER TABLE returns NO FORCE ROW LEVEL SECURITY;
INSERT INTO return_credit_notes (tenant_id, return_id, credit_note_id, position)
    SELECT tenant_id, id, credit_note_id, 0 FROM returns WHERE credit_note_id IS NOT NULL;
ALTER TABLE returns FORCE ROW LEVEL SECURITY;

ALTER TABLE return_credit_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_credit_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON return_credit_notes USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
