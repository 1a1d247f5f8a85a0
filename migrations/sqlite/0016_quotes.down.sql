DROP INDEX IF EXISTS orders_opportunity;
DROP INDEX IF EXISTS orders_quote;
DROP TABLE IF EXISTS quote_lines;
DROP TABLE IF EXISTS quotes;
