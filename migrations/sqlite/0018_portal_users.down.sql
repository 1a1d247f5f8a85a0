DROP TABLE IF EXISTS portal_tokens;
DROP TABLE IF EXISTS portal_users;
