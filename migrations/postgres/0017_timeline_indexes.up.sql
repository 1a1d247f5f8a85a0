-- The account timeline (flows) pages through an account's documents newest
-- first by creation time, id breaking ties, with the cursor
-- (created_at, id) < (at, id). The (tenant_id, account_id, id) indexes
-- order by id only, so each of these reads would sort every document of the
-- account; these serve the order and the cursor directly. Production orders
-- are reached through the account's orders (orders_account) and need none.
CREATE INDEX orders_account_created ON orders (tenant_id, account_id, created_at, id);
CREATE INDEX shipments_account_created ON shipments (tenant_id, account_id, created_at, id);
CREATE INDEX invoices_account_created ON invoices (tenant_id, account_id, created_at, id);
CREATE INDEX payments_account_created ON payments (tenant_id, account_id, created_at, id);
CREATE INDEX credit_notes_account_created ON credit_notes (tenant_id, account_id, created_at, id);
CREATE INDEX activities_account_created ON activities (tenant_id, account_id, created_at, id);
