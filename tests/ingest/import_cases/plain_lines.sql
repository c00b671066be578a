-- one statement per line, no semicolons
SELECT * FROM products WHERE sku = 'A-1'
SELECT * FROM products WHERE sku = 'A-1'
SELECT * FROM products WHERE sku = 'B-2'

INSERT INTO orders (customer_id, total) VALUES (1, 9.50)
VACUUM orders
