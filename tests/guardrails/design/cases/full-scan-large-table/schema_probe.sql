CREATE TABLE devices (id bigint PRIMARY KEY, site_id integer NOT NULL, serial_no text NOT NULL);
CREATE INDEX devices_site_id_idx ON devices (site_id);
CREATE TABLE readings (
  device_id bigint NOT NULL REFERENCES devices (id),
  recorded_at timestamptz NOT NULL,
  temperature real NOT NULL,
  PRIMARY KEY (device_id, recorded_at)
);
