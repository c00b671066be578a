-- The database a.sql describes, but built another way: its foreign key to p (id) was re-created
-- (InnoDB numbers it t_ibfk_3), a check was re-added (CONSTRAINT_4), the unique key and the index
-- on y renamed.
ALTER TABLE t DROP FOREIGN KEY t_ibfk_1;
ALTER TABLE t ADD FOREIGN KEY (p_id) REFERENCES p (id);
ALTER TABLE t DROP CONSTRAINT CONSTRAINT_1;
ALTER TABLE t ADD CHECK (x > 0);
ALTER TABLE t RENAME INDEX x TO xy_unique;
ALTER TABLE t RENAME INDEX y TO y_lookup;
