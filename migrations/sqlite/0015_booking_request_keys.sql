-- The key a client's booking request carries (the bot's confirmed quote), so a request
-- repeated after a crash returns the booking it already made instead of booking again.
-- NULL for bookings made without one (staff, older requests).
ALTER TABLE bookings ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX bookings_request_key ON bookings (request_key);
