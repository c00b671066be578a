-- engine: mariadb 10.11
CREATE TABLE clicks (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, -- expect: integer-primary-key
  url VARCHAR(2048) NOT NULL
) ENGINE=InnoDB;
