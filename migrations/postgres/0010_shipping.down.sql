DROP TABLE IF EXISTS shipment_events;
DROP TABLE IF EXISTS shipment_line_lots;
DROP TABLE IF EXISTS shipment_lines;
DROP TABLE IF EXISTS shipments;
