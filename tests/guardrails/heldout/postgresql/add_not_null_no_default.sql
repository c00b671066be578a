SET lock_timeout = '2s';
ALTER TABLE invoices ADD COLUMN due_date date NOT NULL; -- expect: adding-not-null-column
