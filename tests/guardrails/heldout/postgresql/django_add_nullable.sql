BEGIN;
SET LOCAL lock_timeout = '5s';
--
-- Add field gift_note to order
--
ALTER TABLE "shop_order" ADD COLUMN "gift_note" text NULL;
--
-- Add field shipped_at to order
--
ALTER TABLE "shop_order" ADD COLUMN "shipped_at" timestamp with time zone NULL;
COMMIT;
