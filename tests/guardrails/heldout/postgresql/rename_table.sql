SET lock_timeout = '2s';
ALTER TABLE IF EXISTS line_items RENAME TO order_lines; -- expect: renaming-table
