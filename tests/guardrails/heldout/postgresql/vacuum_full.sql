SET lock_timeout = '2s';
VACUUM FULL VERBOSE orders; -- expect: vacuum-full-or-cluster
VACUUM (FULL, ANALYZE) order_lines; -- expect: vacuum-full-or-cluster
