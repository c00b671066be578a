-- One action the linter cannot read does not hide the others: ADD COLUMN ... NOT NULL is still checked.
SET lock_timeout = '2s';
ALTER TABLE order_items INHERIT legacy_items, ADD COLUMN shipped boolean NOT NULL;
