-- params: {"day": "2024-03-01 10:00:00"}
SELECT id FROM orders WHERE CAST(placed_at AS date) = :day
