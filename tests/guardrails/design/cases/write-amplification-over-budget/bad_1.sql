CREATE TABLE events (id bigint PRIMARY KEY, a integer, b integer, c integer);
CREATE INDEX events_a ON events (a);
CREATE INDEX events_b ON events (b);
CREATE INDEX events_c ON events (c);
