-- engine: mariadb 10.11
-- A trigger body without DELIMITER: `mysql < file` cuts it at its first semicolon.
CREATE TRIGGER orders_region BEFORE INSERT ON orders FOR EACH ROW
BEGIN
    SET NEW.region = upper(NEW.region);
END;
