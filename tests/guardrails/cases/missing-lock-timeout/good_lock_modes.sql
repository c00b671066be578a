-- ROW EXCLUSIVE conflicts with no reader or writer; NOWAIT fails at once instead of queueing
BEGIN;
LOCK TABLE orders IN ROW EXCLUSIVE MODE;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE NOWAIT;
COMMIT;
REINDEX TABLE CONCURRENTLY orders;
