SELECT id, sku FROM products WHERE category_id = :c
