CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL,
  card_token text, login_count integer);
COMMENT ON COLUMN users.email IS 'Encrypted at rest with pgcrypto; read via the app role only';
