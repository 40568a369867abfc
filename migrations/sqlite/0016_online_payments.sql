-- Online payments through a provider (YooKassa). The row and its idempotence key are written
-- BEFORE the provider is called, so a retry after a 500 or a crash reuses the same key and the
-- provider answers with the payment it already made; reconciliation finds rows left pending.
CREATE TABLE online_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    provider TEXT NOT NULL DEFAULT 'yookassa',
    provider_payment_id TEXT UNIQUE,
    idempotence_key TEXT NOT NULL UNIQUE,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('card', 'sbp')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'canceled', 'refund_due', 'refunded')),
    confirmation_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- The ledger's client payment, once applied.
    operation_id INTEGER REFERENCES operations (id),
    -- A refund asked of the provider: its key written before the call, its id after.
    refund_key TEXT UNIQUE,
    refund_id TEXT UNIQUE,
    refund_reason TEXT
);
CREATE INDEX online_payments_booking ON online_payments (booking_id, id);
-- Reconciliation walks pending payments (and refunds in flight) by age.
CREATE INDEX online_payments_status ON online_payments (status, updated_at);

-- Each provider event (event, object id) applied once, however often and concurrently it
-- arrives: the row is inserted in the transaction that applies it.
CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    object_id TEXT NOT NULL,
    online_payment_id INTEGER REFERENCES online_payments (id),
    outcome TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    UNIQUE (event, object_id)
);

-- What the accountant must look at: money that came but was not applied.
CREATE TABLE payment_flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    online_payment_id INTEGER NOT NULL REFERENCES online_payments (id),
    kind TEXT NOT NULL CHECK (kind IN ('amount_mismatch', 'refund_due')),
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT,
    UNIQUE (online_payment_id, kind)
);
CREATE INDEX payment_flags_open ON payment_flags (resolved_at, id);
