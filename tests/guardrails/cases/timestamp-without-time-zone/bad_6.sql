CREATE DOMAIN happened_at AS timestamp NOT NULL;
