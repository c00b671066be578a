-- PostgreSQL's own non-volatile functions and expressions: a fast default, no rewrite.
ALTER TABLE orders ADD COLUMN meta jsonb NOT NULL DEFAULT jsonb_build_object('v', 1);
ALTER TABLE orders ADD COLUMN tags text[] NOT NULL DEFAULT ARRAY[]::text[];
ALTER TABLE orders ADD COLUMN due timestamptz DEFAULT now() + interval '7 days';
ALTER TABLE orders ADD COLUMN label text DEFAULT concat('order-', 'x');
ALTER TABLE orders ADD COLUMN day date DEFAULT (now() AT TIME ZONE 'UTC')::date;
ALTER TABLE orders ADD COLUMN opts jsonb DEFAULT '{}'::jsonb;
ALTER TABLE orders ADD COLUMN who text DEFAULT current_user;
