SET lock_timeout = '2s';
ALTER TABLE orders
    ADD COLUMN channel text,
    ALTER COLUMN placed_at SET NOT NULL, -- expect: setting-not-null
    ADD CONSTRAINT orders_channel_fk FOREIGN KEY (channel) REFERENCES channels (code) NOT VALID;
