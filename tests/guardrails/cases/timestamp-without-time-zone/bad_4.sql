-- Arrays and every spelling of timestamp without time zone.
CREATE TABLE readings (
    id bigint PRIMARY KEY,
    taken timestamp[],
    windows timestamp(3) without time zone[],
    seen pg_catalog.timestamp
);
