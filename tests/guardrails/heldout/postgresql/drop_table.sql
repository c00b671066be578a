SET lock_timeout = '2s';
DROP TABLE IF EXISTS old_sessions; -- expect: dropping-table
