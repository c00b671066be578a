-- nightly maintenance, run by hand after the bloat report
SET lock_timeout = '2s';
REINDEX INDEX orders_created_at_idx; -- expect: require-concurrent-reindex
REINDEX TABLE public.orders; -- expect: require-concurrent-reindex
REINDEX (VERBOSE) TABLE order_lines; -- expect: require-concurrent-reindex
