DROP TABLE IF EXISTS ticket_messages;
DROP TABLE IF EXISTS tickets;
