-- sizes: events=1500000000/2000000
CREATE TABLE events (
    id integer NOT NULL,
    payload jsonb,
    CONSTRAINT events_pkey PRIMARY KEY (id)
);
