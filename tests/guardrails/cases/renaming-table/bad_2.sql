-- engine: mysql 8.0
RENAME TABLE customers TO clients;
