SELECT id FROM orders WHERE CAST(placed_at AS date) > :since
