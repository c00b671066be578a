CREATE TABLE comments (id bigint PRIMARY KEY, commentable_type text NOT NULL,
  commentable_id bigint NOT NULL, body text);
