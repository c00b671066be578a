BEGIN;
SELECT o.id, c.email
  FROM orders o
  JOIN customers c ON c.id = o.customer_id
 WHERE o.status = 'pending;still pending';   -- a semicolon inside a string does not split
UPDATE orders SET status = 'paid' WHERE id = 5;
COMMIT;
/* a block comment */
SELECT o.id, c.email
  FROM orders o
  JOIN customers c ON c.id = o.customer_id
 WHERE o.status = 'pending;still pending';
