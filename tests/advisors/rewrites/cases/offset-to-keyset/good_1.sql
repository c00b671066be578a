-- no OFFSET: nothing to rewrite
SELECT id, sku FROM products WHERE category_id = :c ORDER BY created_at, id LIMIT 24
