DROP TABLE IF EXISTS production_order_history;
DROP TABLE IF EXISTS production_order_demands;
DROP TABLE IF EXISTS production_order_components;
DROP TABLE IF EXISTS production_orders;
