-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
RENAME TABLE line_items TO order_lines; -- expect: renaming-table
