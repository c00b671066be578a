CREATE TABLE events (id bigint PRIMARY KEY, device_id bigint NOT NULL, payload text);
CREATE INDEX events_device ON events (device_id);
CREATE TABLE devices (id bigint PRIMARY KEY, name text);
