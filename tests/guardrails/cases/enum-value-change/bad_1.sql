ALTER TYPE order_status RENAME VALUE 'new' TO 'created';
