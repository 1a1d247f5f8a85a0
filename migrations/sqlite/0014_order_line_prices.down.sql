ALTER TABLE order_lines DROP COLUMN description;
ALTER TABLE orders DROP COLUMN price_list_id;
