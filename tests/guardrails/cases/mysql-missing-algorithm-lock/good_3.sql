-- engine: mysql 8.0.35
-- MySQL: ALGORITHM=INSTANT takes no LOCK= clause but DEFAULT; INSTANT alone asserts no copy and no lock
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT;
