-- schema: schema_bigint.sql
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
