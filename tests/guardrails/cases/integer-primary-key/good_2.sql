-- sizes: countries=250/0.01
CREATE TABLE countries (id integer PRIMARY KEY, name text NOT NULL);
