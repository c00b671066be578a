SELECT p.id, p.name FROM products p WHERE p.price > (SELECT max(oi.quantity) FROM order_items oi WHERE oi.product_id = p.id AND oi.quantity > 1)
