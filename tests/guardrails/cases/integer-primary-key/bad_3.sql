-- engine: mariadb 10.11
CREATE TABLE events (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, payload json);
