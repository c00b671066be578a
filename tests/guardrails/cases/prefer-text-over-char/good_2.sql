-- engine: mariadb 10.11
CREATE TABLE countries (code char(2) PRIMARY KEY, name varchar(100));
