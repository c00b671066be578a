CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids text, labels text);
