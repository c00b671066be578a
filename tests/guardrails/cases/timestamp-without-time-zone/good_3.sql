-- timestamptz in every spelling, and a timestamp cast that declares nothing.
SET lock_timeout = '2s';
CREATE TABLE visits (
    id bigint PRIMARY KEY,
    at timestamptz[],
    until timestamp(3) with time zone,
    local_day date DEFAULT (now() AT TIME ZONE 'UTC')::timestamp::date
);
