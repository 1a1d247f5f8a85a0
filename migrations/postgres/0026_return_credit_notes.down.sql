DROP TABLE IF EXISTS return_credit_notes;
