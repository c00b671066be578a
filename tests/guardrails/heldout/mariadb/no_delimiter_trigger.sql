-- engine: mariadb 10.11
CREATE TRIGGER orders_bu BEFORE UPDATE ON orders
FOR EACH ROW
BEGIN
  IF NEW.status <> OLD.status THEN
    SET NEW.status_changed_at = NOW(6); -- expect: invalid-sql
  END IF; -- expect: invalid-sql
END; -- expect: invalid-sql
