-- The change of schema_v2.postgresql.sql written by hand, the naive way: the lint example in
-- docs/api.md (dbarch lint examples/blog/migrations/0002_titles_views_email.sql
-- --engine 'postgresql 15' --brief examples/blog/brief.yaml) shows what it gets wrong.
ALTER TABLE posts ALTER COLUMN title TYPE varchar(300);
ALTER TABLE posts ADD CONSTRAINT posts_view_count_check CHECK (view_count >= 0);
CREATE INDEX comments_author_email_idx ON comments (author_email);
