DROP TABLE IF EXISTS reservations;
DROP TABLE IF EXISTS stock_moves;
DROP FUNCTION IF EXISTS stock_moves_append_only();
DROP TABLE IF EXISTS stock_levels;
DROP TABLE IF EXISTS lot_components;
DROP TABLE IF EXISTS lots;
DROP TABLE IF EXISTS warehouses;
