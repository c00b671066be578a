-- No catalog and no earlier declaration: nothing proves this narrowing safe.
ALTER TABLE customers ALTER COLUMN legacy_code SET DATA TYPE varchar(2);
