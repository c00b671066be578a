-- engine: mariadb 10.11
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users RENAME COLUMN username TO handle, ALGORITHM=INSTANT, LOCK=NONE; -- expect: renaming-column
