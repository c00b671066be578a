SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname varchar(20);
-- later in the same release: widening a varchar is binary compatible, no rewrite
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(64);
ALTER TABLE users ALTER COLUMN nickname TYPE text;
