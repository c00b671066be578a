BEGIN;
CREATE TABLE IF NOT EXISTS public.webhook_deliveries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id  bigint NOT NULL REFERENCES webhooks (id),
    status      text   NOT NULL DEFAULT 'pending',
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook_id_idx ON public.webhook_deliveries (webhook_id);
CREATE INDEX ON webhook_deliveries (status) WHERE status <> 'delivered';
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0);
ALTER TABLE webhook_deliveries ALTER COLUMN status SET NOT NULL;
COMMIT;
