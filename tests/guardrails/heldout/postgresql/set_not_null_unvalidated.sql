SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_phone_not_null CHECK (phone IS NOT NULL) NOT VALID;
-- forgot: ALTER TABLE users VALIDATE CONSTRAINT users_phone_not_null;
ALTER TABLE users ALTER COLUMN phone SET NOT NULL; -- expect: setting-not-null
