BEGIN;
SET LOCAL lock_timeout = '5s';
--
-- Alter field amount on payment
--
ALTER TABLE "billing_payment" ALTER COLUMN "amount" TYPE numeric(14, 2) USING "amount"::numeric(14, 2); -- expect: changing-column-type
COMMIT;
