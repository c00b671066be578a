CREATE TABLE events (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL,
  kind text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
