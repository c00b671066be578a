-- Rails: disable_ddl_transaction! + add_index ..., algorithm: :concurrently
SET statement_timeout = 0;
CREATE INDEX CONCURRENTLY "index_orders_on_customer_id_and_created_at"
  ON "orders" ("customer_id", "created_at" DESC);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "index_users_on_lower_email"
  ON "users" (lower("email")) WHERE "deleted_at" IS NULL;
