CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, password text NOT NULL,
  phone_number varchar(32), api_token text, login_count integer);
