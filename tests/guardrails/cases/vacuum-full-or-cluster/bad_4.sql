-- The old syntax with other options, several tables, and FULL given a true value.
VACUUM FULL VERBOSE ANALYZE orders, customers;
VACUUM (ANALYZE, FULL on) order_items;
