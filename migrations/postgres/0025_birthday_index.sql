-- The scheduler looks for the birthdays of the next days every minute by the birth date's
-- month and day (`MM-DD`, characters 6–10 of the ISO date): without this index each look was a
-- scan of every client.
CREATE INDEX clients_birthday ON clients (substr(birth_date, 6, 5));
