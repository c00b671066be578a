UPDATE users SET email_normalized = lower(email); -- expect: unbatched-backfill
