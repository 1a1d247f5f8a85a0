DROP INDEX IF EXISTS activities_account_created;
DROP INDEX IF EXISTS credit_notes_account_created;
DROP INDEX IF EXISTS payments_account_created;
DROP INDEX IF EXISTS invoices_account_created;
DROP INDEX IF EXISTS shipments_account_created;
DROP INDEX IF EXISTS orders_account_created;
