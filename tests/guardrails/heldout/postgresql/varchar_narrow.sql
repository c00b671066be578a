SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN country_code TYPE varchar(2); -- expect: varchar-length-change
