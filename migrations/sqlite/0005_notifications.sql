-- Automatic notifications and marketing broadcasts. Portable types only (see
-- crm/src/store/mod.rs).

-- The departure reminder tells when and where the group meets (local time of the meeting place).
ALTER TABLE tour_departures ADD COLUMN departure_time TEXT;
ALTER TABLE tour_departures ADD COLUMN meeting_point TEXT NOT NULL DEFAULT '';

-- The agency's settings per notification kind: on/off, lead time and its own template text
-- (NULL: the default from templates/notify/). A kind without a row uses the defaults.
CREATE TABLE notification_settings (
    kind TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    lead_days INTEGER NOT NULL,
    template TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A marketing broadcast: composed once, expanded into outbox rows (one per recipient) when
-- its time comes. The audience is a JSON filter kept as composed.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('new_tour', 'hot_tour', 'early_booking')),
    title TEXT NOT NULL,
    template TEXT NOT NULL,
    tour_id INTEGER REFERENCES tours (id),
    audience TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'paused', 'cancelled', 'done')),
    send_at TEXT NOT NULL,
    recipients INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX broadcasts_status ON broadcasts (status, send_at);

-- Every message the bot writes first. dedup_key makes an occurrence (a client's birthday of a
-- year, a booking's due date, a broadcast's recipient) a row at most once. The sender claims a
-- row (pending → sending), sends it and marks it sent; a row found 'sending' after a crash
-- becomes 'unknown' and is never resent by itself (see crm/src/services/outbox.rs).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    broadcast_id INTEGER REFERENCES broadcasts (id),
    tour_id INTEGER,
    advertising INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'held', 'sending', 'sent', 'failed', 'skipped',
                                           'unknown', 'cancelled')),
    not_before TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    chat_id INTEGER,
    telegram_message_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, priority, not_before, id);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status);
CREATE INDEX outbox_client ON outbox (client_id, id);
