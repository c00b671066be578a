-- PG 12+: ADD VALUE may run in a transaction, but the new value cannot be used until commit
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'delivered';
