-- Foundation: staff, clients, tags, blacklist, consents, interactions, encrypted documents,
-- data keys, audit log. Portable types only (see crm/src/store/mod.rs): INTEGER ids and
-- 0/1 flags, TEXT for RFC 3339 UTC times and ISO dates, BLOB for ciphertext.

CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'agent', 'accountant')),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    telegram_id INTEGER UNIQUE,
    telegram_username TEXT,
    invite_token_hash TEXT UNIQUE,
    invite_expires_at TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    birth_date TEXT,
    city TEXT,
    time_zone TEXT NOT NULL,
    telegram_id INTEGER UNIQUE,
    telegram_username TEXT,
    agent_id INTEGER REFERENCES staff (id),
    source TEXT,
    pd_consent_at TEXT,
    marketing_consent INTEGER NOT NULL DEFAULT 0,
    marketing_consent_changed_at TEXT,
    blacklisted INTEGER NOT NULL DEFAULT 0,
    blacklist_reason TEXT,
    blacklisted_by INTEGER REFERENCES staff (id),
    blacklisted_at TEXT,
    foreign_passport_expires_on TEXT,
    created_by INTEGER REFERENCES staff (id),
    created_at TEXT NOT NULL
);
CREATE INDEX clients_agent ON clients (agent_id, id);
CREATE INDEX clients_name_key ON clients (name_key, id);
CREATE INDEX clients_passport_expiry ON clients (foreign_passport_expires_on);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE client_tags (
    client_id INTEGER NOT NULL REFERENCES clients (id),
    tag_id INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (client_id, tag_id)
);
CREATE INDEX client_tags_tag ON client_tags (tag_id, client_id);

CREATE TABLE blacklist_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    blacklisted INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX blacklist_events_client ON blacklist_events (client_id, id);

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    kind TEXT NOT NULL CHECK (kind IN ('personal_data', 'marketing')),
    granted INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX consent_events_client ON consent_events (client_id, id);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER REFERENCES clients (id),
    hotel_id INTEGER,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    body TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    author TEXT NOT NULL,
    corrects_id INTEGER REFERENCES interactions (id),
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_client ON interactions (client_id, occurred_at);
CREATE INDEX interactions_hotel ON interactions (hotel_id, occurred_at);

CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
    created_at TEXT NOT NULL,
    retired_at TEXT
);

-- One encrypted document per owner and kind. owner_kind is 'client' now, 'traveller' later.
CREATE TABLE secure_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    doc_kind TEXT NOT NULL CHECK (doc_kind IN ('internal_passport', 'foreign_passport', 'payment_details')),
    key_id TEXT NOT NULL REFERENCES data_keys (id),
    envelope BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_kind, owner_id, doc_kind)
);
CREATE INDEX secure_documents_key ON secure_documents (key_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    details TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);
