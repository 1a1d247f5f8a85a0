-- Card payments to review: a paid Checkout Session that could not be
-- recorded on its invoice (no amount, another currency, the invoice no
-- longer payable) left its attempt in status review, money taken and no
-- record of it. Finance now sees these and closes each with a note of how
-- it was handled (refunded in Stripe, booked by hand): status resolved,
-- with who and when.
--
-- received_currency is the currency Stripe collected in, which may differ
-- from the attempt's (the invoice's) currency; NULL for attempts paid
-- before it was kept.
ALTER TABLE payment_attempts ADD COLUMN received_currency text
    CHECK (received_currency IS NULL OR received_currency ~ '^[A-Z]{3}$');
ALTER TABLE payment_attempts ADD COLUMN resolution_note text
    CHECK (resolution_note IS NULL OR length(resolution_note) BETWEEN 1 AND 500);
ALTER TABLE payment_attempts ADD COLUMN resolved_by uuid;
ALTER TABLE payment_attempts ADD COLUMN resolved_at timestamptz;
ALTER TABLE payment_attempts DROP CONSTRAINT payment_attempts_status_check;
ALTER TABLE payment_attempts ADD CONSTRAINT payment_attempts_status_check
    CHECK (status IN ('open', 'paid', 'overpaid', 'expired', 'failed', 'review', 'resolved'));
ALTER TABLE payment_attempts ADD CONSTRAINT payment_attempts_resolution
    CHECK ((status = 'resolved') = (resolution_note IS NOT NULL AND resolved_at IS NOT NULL));
CREATE INDEX payment_attempts_status ON payment_attempts (tenant_id, status, id);
