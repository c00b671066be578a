-- The database a.sql describes, but its constraints were renamed since: a name derived from a.sql
-- is wrong for every constraint the migration drops.
ALTER TABLE t RENAME CONSTRAINT t_p_id_fkey TO t_parent;
ALTER TABLE t RENAME CONSTRAINT t_x_check TO x_positive;
ALTER TABLE t RENAME CONSTRAINT t_check TO x_below_y;
ALTER TABLE t RENAME CONSTRAINT t_x_y_key TO t_xy_unique;
ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_primary;
