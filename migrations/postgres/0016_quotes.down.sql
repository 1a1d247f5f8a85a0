DROP INDEX IF EXISTS orders_opportunity;
DROP INDEX IF EXISTS orders_quote;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_quote_fk;
DROP TABLE IF EXISTS quote_lines;
DROP TABLE IF EXISTS quotes;
