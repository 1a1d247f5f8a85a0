-- Partial receipt of returns: each line records the units that actually
-- came back (0 up to the requested quantity), set when the return is
-- received. Those units, not the requested ones, move stock and are
-- credited or replaced. A line received with 0 units goes nowhere: no
-- condition and no warehouse. NULL until received; lines received before
-- this migration came back whole.
ALTER TABLE return_lines ADD COLUMN received_quantity INTEGER
    CHECK (received_quantity IS NULL OR (received_quantity BETWEEN 0 AND quantity
        AND (disposition IS NOT NULL) = (received_quantity > 0)));
UPDATE return_lines SET received_quantity = quantity WHERE disposition IS NOT NULL;
