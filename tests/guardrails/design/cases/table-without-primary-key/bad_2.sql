CREATE TABLE accounts (email text NOT NULL, name text, UNIQUE (email));
