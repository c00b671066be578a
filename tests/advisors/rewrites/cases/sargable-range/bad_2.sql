SELECT count(*) FROM orders WHERE date(placed_at) BETWEEN '2024-01-01' AND '2024-01-31' AND status = 'paid'
