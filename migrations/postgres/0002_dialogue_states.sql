-- Bot dialogue states, so a restart mid-dialogue resumes it and several bot instances share them.
-- One row per Telegram chat; `state` is the dialogue serialised as JSON text (not JSONB, which
-- sqlx `Any` rejects), `updated_at` an RFC 3339 UTC time that lets stale rows be found.

CREATE TABLE dialogue_states (
    chat_id BIGINT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
