SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email TYPE citext; -- expect: changing-column-type
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz USING happened_at AT TIME ZONE 'UTC'; -- expect: changing-column-type
