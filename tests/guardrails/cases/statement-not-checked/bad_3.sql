\set ON_ERROR_STOP on
\i 0002_backfill.sql
