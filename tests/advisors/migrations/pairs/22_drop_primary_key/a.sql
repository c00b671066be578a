CREATE TABLE tags (
  id integer NOT NULL,
  tag varchar(40) NOT NULL,
  CONSTRAINT tags_pkey PRIMARY KEY (id)
);
