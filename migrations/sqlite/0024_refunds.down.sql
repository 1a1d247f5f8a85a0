DROP TABLE IF EXISTS refunds;
ALTER TABLE invoices DROP COLUMN refund_minor;
