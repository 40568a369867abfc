-- A message of the outbox may go to a staff member instead of the client it is about (the
-- agent's note that a client's online payment landed): queued in the event's own transaction,
-- delivered exactly once by the same sender.
ALTER TABLE outbox ADD COLUMN staff_id BIGINT REFERENCES staff (id);
