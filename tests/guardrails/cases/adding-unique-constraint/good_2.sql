-- engine: mariadb 10.11
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email), ALGORITHM=NOCOPY, LOCK=NONE;
