-- Rails 7.1: db/migrate/20240312101500_add_index_to_users_email.rb (structure.sql diff)
-- class AddIndexToUsersEmail < ActiveRecord::Migration[7.1]
--   def change
--     add_index :users, :email
--   end
-- end
CREATE INDEX "index_users_on_email" ON "users" ("email"); -- expect: missing-lock-timeout, require-concurrent-index-creation
