ALTER TABLE order_lines DROP COLUMN IF EXISTS description;
ALTER TABLE orders DROP COLUMN IF EXISTS price_list_id;
