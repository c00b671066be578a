-- The general form: a schema-qualified function inside an expression, in a multi-action statement.
ALTER TABLE orders
    ADD COLUMN note2_len integer,
    ADD COLUMN zone text NOT NULL DEFAULT upper(app.region_of(1)) || '-1';
