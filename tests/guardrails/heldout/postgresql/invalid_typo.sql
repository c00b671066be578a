CREAT INDEX x ON y (z); -- expect: invalid-sql
ALTER TABLE ((( ; -- expect: invalid-sql
