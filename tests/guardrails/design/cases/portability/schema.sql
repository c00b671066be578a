CREATE TABLE documents (id bigint PRIMARY KEY, owner_id bigint NOT NULL, body text NOT NULL,
  archived boolean NOT NULL DEFAULT false);
CREATE INDEX documents_live_owner ON documents (owner_id) WHERE NOT archived;
