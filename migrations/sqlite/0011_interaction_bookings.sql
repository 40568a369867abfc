-- A history entry about a booking (its creation, each status move) names the booking, so the
-- client card's history links to it. NULL for entries about no booking (calls, notes…).
ALTER TABLE interactions ADD COLUMN booking_id INTEGER REFERENCES bookings (id);
CREATE INDEX interactions_booking ON interactions (booking_id);
