-- FULL turned off is a plain VACUUM (no rewrite, no ACCESS EXCLUSIVE).
VACUUM (FULL FALSE) orders;
VACUUM (FULL 0, ANALYZE) customers;
VACUUM (VERBOSE, FULL off) order_items;
