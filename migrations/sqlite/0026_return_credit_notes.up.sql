-- One credit note per invoice for a return invoiced on several; see the
-- PostgreSQL migration.
CREATE TABLE return_credit_notes (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    return_id       TEXT NOT NULL,
    credit_note_id  TEXT NOT NULL,
    position        INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, credit_note_id),
    UNIQUE (tenant_id, return_id, position),
    FOREIGN KEY (tenant_id, return_id) REFERENCES returns (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id)
);
INSERT INTO return_credit_notes (tenant_id, return_id, credit_note_id, position)
    SELECT tenant_id, id, credit_note_id, 0 FROM returns WHERE credit_note_id IS NOT NULL;
