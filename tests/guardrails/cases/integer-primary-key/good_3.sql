-- engine: sqlite 3.40
CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT);
