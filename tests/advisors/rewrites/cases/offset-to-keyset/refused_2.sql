-- the sort key is not returned
SELECT id, sku FROM products ORDER BY created_at, id LIMIT 20 OFFSET 5000
