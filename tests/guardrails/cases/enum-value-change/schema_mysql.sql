CREATE TABLE orders (id bigint PRIMARY KEY, status ENUM('new', 'paid', 'void') NOT NULL);
