-- Where a Telegram user first came from (`/start post_123`), kept from their first start until
-- they register: a stranger may browse the catalog before registering, and the registration
-- then records this source in `clients.source` (the social-reaction funnel counts by it).
-- One row per Telegram account; the first source wins. `started_at` is RFC 3339 UTC text.

CREATE TABLE bot_starts (
    telegram_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL
);
