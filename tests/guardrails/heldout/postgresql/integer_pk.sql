CREATE TABLE page_views (
    id serial PRIMARY KEY, -- expect: integer-primary-key
    path text NOT NULL,
    viewed_at timestamptz NOT NULL
);
