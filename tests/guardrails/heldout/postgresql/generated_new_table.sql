CREATE TABLE line_totals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quantity integer NOT NULL,
    unit_price_cents bigint NOT NULL
);
ALTER TABLE line_totals ADD COLUMN total_cents bigint GENERATED ALWAYS AS (quantity * unit_price_cents) STORED NOT NULL;
