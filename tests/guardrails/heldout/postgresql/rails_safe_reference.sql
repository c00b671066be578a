-- strong_migrations style: the same reference, done safely in three migrations
SET lock_timeout = '3s';
ALTER TABLE "comments" ADD "post_id" bigint;
COMMIT;
CREATE INDEX CONCURRENTLY "index_comments_on_post_id" ON "comments" ("post_id");
ALTER TABLE "comments" ADD CONSTRAINT "fk_rails_2fd19c0db7" FOREIGN KEY ("post_id") REFERENCES "posts" ("id") NOT VALID;
ALTER TABLE "comments" VALIDATE CONSTRAINT "fk_rails_2fd19c0db7";
