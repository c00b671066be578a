-- engine: mariadb 10.11
UPDATE users SET newsletter_opt_in = 0; -- expect: unbatched-backfill
