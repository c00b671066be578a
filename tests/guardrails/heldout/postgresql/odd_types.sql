SET lock_timeout = '2s';
ALTER TABLE devices ADD COLUMN flags bit varying(16) NOT NULL; -- expect: adding-not-null-column
ALTER TABLE devices ADD COLUMN model bpchar(8); -- expect: prefer-text-over-char
ALTER TABLE devices ADD COLUMN seen_at timestamp[]; -- expect: timestamp-without-time-zone
ALTER TABLE devices ADD COLUMN codes char(2)[]; -- expect: prefer-text-over-char
