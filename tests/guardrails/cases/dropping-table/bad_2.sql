-- sizes: legacy_orders=120000
DROP TABLE IF EXISTS legacy_orders, legacy_items CASCADE;
