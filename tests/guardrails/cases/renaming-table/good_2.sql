CREATE VIEW clients AS SELECT * FROM customers;
