-- Bot dialogue states, so a restart mid-dialogue resumes it and several bot instances share them.
-- One row per Telegram chat; `state` is the dialogue serialised as JSON text, `updated_at` an
-- RFC 3339 UTC time (portable TEXT, see crm/src/store/mod.rs) that lets stale rows be found.

CREATE TABLE dialogue_states (
    chat_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
