-- engine: mariadb 10.11
-- DELIMITER blocks, # comments, backquoted names and strings with semicolons.
SET SESSION lock_wait_timeout = 5;
# a hash comment; with a semicolon
ALTER TABLE `orders` ADD COLUMN `note` varchar(20) DEFAULT 'a;b', ALGORITHM=INSTANT, LOCK=NONE;
DELIMITER //
CREATE TRIGGER orders_region BEFORE INSERT ON orders FOR EACH ROW
BEGIN
    IF NEW.region IS NULL THEN
        SET NEW.region = 'eu;west';
    END IF;
END//
DELIMITER ;
SELECT "semi;colon" AS x;
