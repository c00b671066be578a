-- A table created in the same file holds no rows.
CREATE TABLE audit (id bigint PRIMARY KEY);
REINDEX TABLE audit;
