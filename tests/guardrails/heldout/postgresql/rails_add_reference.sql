-- Rails add_reference :comments, :post, foreign_key: true, index: true (generated SQL)
BEGIN;
ALTER TABLE "comments" ADD "post_id" bigint; -- expect: missing-lock-timeout
CREATE INDEX "index_comments_on_post_id" ON "comments" ("post_id"); -- expect: require-concurrent-index-creation
ALTER TABLE "comments" ADD CONSTRAINT "fk_rails_2fd19c0db7" -- expect: constraint-missing-not-valid
FOREIGN KEY ("post_id")
  REFERENCES "posts" ("id");
COMMIT;
