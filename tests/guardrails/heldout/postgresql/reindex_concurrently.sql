-- PG 12+: rebuild without blocking writes (not in a transaction block)
REINDEX INDEX CONCURRENTLY orders_created_at_idx;
REINDEX (VERBOSE, CONCURRENTLY) TABLE public.orders;
