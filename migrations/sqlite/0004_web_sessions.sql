-- Panel sign-in: server-side sessions and failed-login counting. Portable types only (see
-- crm/src/store/mod.rs). A session is found by the SHA-256 hash of its cookie token, so a
-- leaked database holds no usable session; the CSRF token is per session.

CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_staff ON web_sessions (staff_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- One row per login (as typed, case-folded; unknown logins too, so a lockout does not tell
-- which logins exist). Cleared by a successful sign-in.
CREATE TABLE login_failures (
    login TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TEXT NOT NULL,
    locked_until TEXT
);
