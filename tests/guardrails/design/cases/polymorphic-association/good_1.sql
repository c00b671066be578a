CREATE TABLE posts (id bigint PRIMARY KEY, content_type text NOT NULL);
CREATE TABLE photos (id bigint PRIMARY KEY);
CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint REFERENCES posts (id),
  photo_id bigint REFERENCES photos (id), body text, CHECK ((post_id IS NULL) <> (photo_id IS NULL)));
