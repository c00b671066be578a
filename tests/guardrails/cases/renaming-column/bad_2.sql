-- engine: mariadb 10.11
ALTER TABLE customers CHANGE COLUMN email email_address varchar(320) NOT NULL;
