-- no index holds the filtered column
SELECT * FROM products WHERE price > :p
