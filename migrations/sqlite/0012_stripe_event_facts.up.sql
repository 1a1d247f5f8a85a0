-- Billing state from the events themselves (SQLite twin of postgres/0012).
ALTER TABLE stripe_events ADD COLUMN facts TEXT;
