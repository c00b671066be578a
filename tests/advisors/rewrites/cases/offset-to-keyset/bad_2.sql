SELECT id, sku, name, created_at FROM products WHERE category_id = :category_id ORDER BY created_at, id LIMIT 24 OFFSET 100000
