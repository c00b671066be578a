BEGIN;
SET LOCAL lock_timeout = '5s';
--
-- Add field priority to ticket
--
ALTER TABLE "support_ticket" ADD COLUMN "priority" smallint DEFAULT 3 NOT NULL CHECK ("priority" >= 0); -- expect: constraint-missing-not-valid
ALTER TABLE "support_ticket" ALTER COLUMN "priority" DROP DEFAULT;
--
-- Add field is_escalated to ticket
--
ALTER TABLE "support_ticket" ADD COLUMN "is_escalated" boolean DEFAULT false NOT NULL;
ALTER TABLE "support_ticket" ALTER COLUMN "is_escalated" DROP DEFAULT;
COMMIT;
