-- run by the on-call by hand
REINDEX TABLE orders; -- expect: missing-lock-timeout, require-concurrent-reindex
VACUUM FULL order_lines; -- expect: vacuum-full-or-cluster
