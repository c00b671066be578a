SELECT id, total, placed_at FROM orders ORDER BY placed_at DESC, id DESC LIMIT 20 OFFSET :offset
