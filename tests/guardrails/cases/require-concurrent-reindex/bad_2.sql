-- Options in parentheses, an explicit CONCURRENTLY false, a schema-qualified index.
REINDEX (VERBOSE) INDEX public.orders_pkey;
REINDEX (CONCURRENTLY false) TABLE customers;
