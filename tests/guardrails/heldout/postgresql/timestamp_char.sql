CREATE TABLE shipments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier char(4) NOT NULL, -- expect: prefer-text-over-char
    shipped_at timestamp NOT NULL, -- expect: timestamp-without-time-zone
    delivered_at timestamptz
);
