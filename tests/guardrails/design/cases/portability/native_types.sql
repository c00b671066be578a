CREATE TABLE sessions (
  id bigint PRIMARY KEY,
  client inet NOT NULL,
  during tstzrange NOT NULL
);
