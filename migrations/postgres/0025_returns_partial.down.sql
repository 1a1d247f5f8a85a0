ALTER TABLE return_lines DROP COLUMN received_quantity;
