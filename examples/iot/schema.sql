-- IoT telemetry on PostgreSQL 15: half a million battery-powered sensors in cold stores and
-- warehouses report every 15 minutes. Readings are partitioned by month and kept 90 days.

CREATE TABLE sites (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_name varchar(200) NOT NULL,
    name          varchar(200) NOT NULL,
    country_code  char(2) NOT NULL,
    time_zone     varchar(64) NOT NULL DEFAULT 'UTC',
    latitude      numeric(9,6),
    longitude     numeric(9,6),
    created_at    timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE firmware (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version       varchar(20) NOT NULL UNIQUE,
    released_at   timestamptz NOT NULL,
    checksum      bytea NOT NULL,
    is_stable     boolean NOT NULL DEFAULT false,
    notes         text
);

CREATE TABLE devices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial_no     varchar(32) NOT NULL,
    site_id       integer NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
    firmware_id   integer REFERENCES firmware (id) ON DELETE SET NULL,
    model         varchar(40) NOT NULL,
    status        varchar(16) NOT NULL DEFAULT 'active',
    installed_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at  timestamptz,
    battery_mv    smallint,
    CONSTRAINT devices_serial_no_key UNIQUE (serial_no),
    CONSTRAINT devices_status_check CHECK (status IN ('active', 'maintenance', 'retired'))
);
COMMENT ON COLUMN devices.battery_mv IS 'Last reported battery voltage, millivolts';

CREATE TABLE readings (
    device_id     bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    recorded_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    temperature_c real NOT NULL,
    humidity_pct  real,
    battery_mv    smallint,
    rssi_dbm      smallint,
    extra         jsonb,
    PRIMARY KEY (device_id, recorded_at)
) PARTITION BY RANGE (recorded_at);
COMMENT ON TABLE readings IS 'One row per sensor report; partitions older than 90 days are dropped';

CREATE TABLE readings_2025_10 PARTITION OF readings FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00');
CREATE TABLE readings_2025_11 PARTITION OF readings FOR VALUES FROM ('2025-11-01 00:00:00+00') TO ('2025-12-01 00:00:00+00');
CREATE TABLE readings_2025_12 PARTITION OF readings FOR VALUES FROM ('2025-12-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
CREATE TABLE readings_default PARTITION OF readings DEFAULT;

CREATE TABLE alerts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id     bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    site_id       integer NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind          varchar(32) NOT NULL,
    severity      smallint NOT NULL,
    raised_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    resolved_at   timestamptz,
    resolved_by   varchar(100),
    details       jsonb,
    CONSTRAINT alerts_severity_check CHECK (severity BETWEEN 1 AND 4)
);

CREATE INDEX devices_site_idx ON devices (site_id);
CREATE INDEX readings_recorded_brin ON readings USING brin (recorded_at);
-- Open alerts are a tiny share of all alerts and are what the console shows.
CREATE INDEX alerts_open_idx ON alerts (site_id, severity DESC, raised_at) WHERE resolved_at IS NULL;
CREATE INDEX alerts_device_idx ON alerts (device_id, raised_at DESC);
