CREATE TABLE events (id bigint PRIMARY KEY, a integer, b integer, c integer);
CREATE INDEX events_a_b ON events (a, b);
