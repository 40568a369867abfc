-- A payment the agency sends the client from the booking card (crm/src/services/pay_offer/send.rs)
-- travels through the outbox like every message: the caption is the body, the QR code is kept
-- as the text it encodes (a payment link or the GOST R 56042-2014 payload) and drawn by the
-- sender at send time, and a link also gets an inline URL button with its label.
ALTER TABLE outbox ADD COLUMN qr_payload TEXT;
ALTER TABLE outbox ADD COLUMN button_url TEXT;
ALTER TABLE outbox ADD COLUMN button_label TEXT;
