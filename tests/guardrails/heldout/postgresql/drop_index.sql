SET lock_timeout = '2s';
DROP INDEX IF EXISTS index_users_on_legacy_token; -- expect: require-concurrent-index-deletion
DROP INDEX CONCURRENTLY IF EXISTS index_users_on_old_email;
