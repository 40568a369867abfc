-- Telegram Payments (issue #14). An invoice is what the bot offered a payer: a booking and an
-- amount fixed when it was made, found again by the random token in its payload (only the
-- token's SHA-256 is kept). A charge is a payment Telegram reported (`successful_payment`):
-- written first, before the ledger, so money that arrived is never lost even when it cannot be
-- applied (the booking was cancelled meanwhile) — it then waits for the accountant.
CREATE TABLE telegram_invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'paid')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX telegram_invoices_booking ON telegram_invoices (booking_id, id);

CREATE TABLE telegram_charges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL REFERENCES telegram_invoices (id),
    telegram_charge_id TEXT NOT NULL UNIQUE,
    provider_charge_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    payer_telegram_id INTEGER,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'applied', 'unapplied')),
    operation_id INTEGER REFERENCES operations (id),
    problem TEXT NOT NULL DEFAULT ''
);
CREATE INDEX telegram_charges_status ON telegram_charges (status, id);
