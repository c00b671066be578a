CREATE TABLE events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);
CREATE TABLE event_tags (event_id integer NOT NULL REFERENCES events (id), tag text NOT NULL, PRIMARY KEY (event_id, tag));
