-- "char" (quoted) is PostgreSQL's one-byte internal type, not blank-padded char(n).
CREATE TABLE flags (id bigint PRIMARY KEY, kind "char", codes text[], label varchar(10)[]);
