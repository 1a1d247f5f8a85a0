DROP TABLE IF EXISTS credit_note_lines;
DROP TABLE IF EXISTS credit_notes;
DROP TABLE IF EXISTS payments;
DROP TABLE IF EXISTS invoice_lines;
DROP TABLE IF EXISTS invoices;
