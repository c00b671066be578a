-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
DROP TRIGGER IF EXISTS orders_bu;
DELIMITER $$
CREATE TRIGGER orders_bu BEFORE UPDATE ON orders
FOR EACH ROW
BEGIN
  IF NEW.status <> OLD.status THEN
    SET NEW.status_changed_at = NOW(6);
  END IF;
END$$
DELIMITER ;
