-- Travellers and their documents (issue #13, point 1).
-- 1. secure_documents takes birth certificates.
ALTER TABLE secure_documents DROP CONSTRAINT secure_documents_doc_kind_check;
ALTER TABLE secure_documents ADD CONSTRAINT secure_documents_doc_kind_check
    CHECK (doc_kind IN ('internal_passport', 'foreign_passport', 'payment_details', 'birth_certificate'));

-- 2. The client is the first traveller of their booking. Bookings made before that rule get
--    their client in front where a seat is still unlisted and the client's birth date is known.
CREATE TEMPORARY TABLE bookings_without_client AS
    SELECT b.id FROM bookings b JOIN clients c ON c.id = b.client_id
    WHERE c.birth_date IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM booking_travellers t WHERE t.booking_id = b.id AND t.client_id = b.client_id)
      AND (SELECT COUNT(*) FROM booking_travellers t WHERE t.booking_id = b.id) < b.travellers_count;
UPDATE booking_travellers SET position = position + 1 WHERE booking_id IN (SELECT id FROM bookings_without_client);
INSERT INTO booking_travellers (booking_id, client_id, full_name, birth_date, position)
    SELECT b.id, b.client_id, c.full_name, c.birth_date, 0
    FROM bookings b JOIN clients c ON c.id = b.client_id
    WHERE b.id IN (SELECT id FROM bookings_without_client);
DROP TABLE bookings_without_client;
CREATE INDEX booking_travellers_client ON booking_travellers (client_id);
