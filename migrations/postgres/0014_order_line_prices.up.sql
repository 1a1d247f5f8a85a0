-- Orders priced from a price list (E1/E3). price_list_id records which list
-- priced the lines when the order was created; it is a note of history, not
-- a live link (no foreign key): deleting or changing the list later changes
-- no order. description is the line's product as sold ("SKU — name"),
-- copied at pricing so documents keep what the customer ordered after the
-- catalog changes.
ALTER TABLE orders ADD COLUMN price_list_id uuid;
ALTER TABLE order_lines ADD COLUMN description text NOT NULL DEFAULT '';
