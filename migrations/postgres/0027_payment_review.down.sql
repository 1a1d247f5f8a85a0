-- Resolved attempts go back to review: the resolution is dropped with its
-- columns. The update spans every tenant: FORCE row level security would
-- hide all rows from the owner (no tenant is bound here), so it is lifted
-- for the update only, inside this migration's transaction.
DROP INDEX IF EXISTS payment_attempts_status;
ALTER TABLE payment_attempts DROP CONSTRAINT IF EXISTS payment_attempts_resolution;
ALTER TABLE payment_attempts NO FORCE ROW LEVEL SECURITY;
UPDATE payment_attempts SET status = 'review' WHERE status = 'resolved';
ALTER TABLE payment_attempts FORCE ROW LEVEL SECURITY;
ALTER TABLE payment_attempts DROP CONSTRAINT IF EXISTS payment_attempts_status_check;
ALTER TABLE payment_attempts ADD CONSTRAINT payment_attempts_status_check
    CHECK (status IN ('open', 'paid', 'overpaid', 'expired', 'failed', 'review'));
ALTER TABLE payment_attempts DROP COLUMN IF EXISTS resolved_at;
ALTER TABLE payment_attempts DROP COLUMN IF EXISTS resolved_by;
ALTER TABLE payment_attempts DROP COLUMN IF EXISTS resolution_note;
ALTER TABLE payment_attempts DROP COLUMN IF EXISTS received_currency;
