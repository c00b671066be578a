-- not correlated
SELECT id FROM products WHERE price > (SELECT avg(price) FROM products)
