SET lock_timeout = '2s';
ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap -- expect: adding-unique-constraint
    EXCLUDE USING gist (room_id WITH =, during WITH &&);
