SELECT * FROM products WHERE category_id = :category_id ORDER BY created_at LIMIT 24
