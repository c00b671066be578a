-- engine: mariadb 10.11
CREATE TABLE sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token CHAR(64) NOT NULL,
  expires_at DATETIME NOT NULL,
  UNIQUE KEY uq_sessions_token (token)
) ENGINE=InnoDB;
