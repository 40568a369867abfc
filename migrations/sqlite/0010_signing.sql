-- Documents issued for signing (tour contract, personal-data consent, marketing consent) and
-- the evidence of their electronic signature (63-FZ art. 9, a simple electronic signature: a
-- one-time code sent to the client's Telegram). Issued documents, their events, signatures and
-- accepted signature agreements are append-only: triggers refuse UPDATE and DELETE, so the
-- evidence cannot be edited through the application or by a careless query.

CREATE TABLE issued_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('contract', 'pd_consent', 'marketing_consent')),
    client_id INTEGER NOT NULL REFERENCES clients (id),
    booking_id INTEGER REFERENCES bookings (id),
    title TEXT NOT NULL,
    template_version TEXT NOT NULL,
    -- SHA-256 (hex) of the PDF and of the HTML issued; the stored copy must still hash to these.
    sha256 TEXT NOT NULL,
    html_sha256 TEXT NOT NULL,
    -- What the document lacked when rendered (left blank for the client to enter): not signable.
    missing TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    supersedes INTEGER REFERENCES issued_documents (id)
);
CREATE INDEX issued_documents_client ON issued_documents (client_id, id);
CREATE INDEX issued_documents_booking ON issued_documents (booking_id, id);

-- The immutable copy, sealed with the data key like other personal data (the contract holds
-- passport data). Only key rotation rewrites it, to the same plaintext under a new key.
CREATE TABLE document_copies (
    document_id INTEGER PRIMARY KEY REFERENCES issued_documents (id),
    key_id TEXT NOT NULL REFERENCES data_keys (id),
    pdf BLOB NOT NULL,
    html BLOB NOT NULL
);
CREATE INDEX document_copies_key ON document_copies (key_id);

-- What happened to an issued document: opened by the client, superseded by a reissue, signed.
CREATE TABLE document_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES issued_documents (id),
    event TEXT NOT NULL CHECK (event IN ('opened', 'superseded', 'signed')),
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX document_events_document ON document_events (document_id, id);
-- A document ends once: signed or superseded, never both, never twice.
CREATE UNIQUE INDEX document_events_end ON document_events (document_id) WHERE event IN ('superseded', 'signed');

-- One-time codes: only their keyed hash (HMAC with a server secret), never the code.
CREATE TABLE sign_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES issued_documents (id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('active', 'used', 'replaced'))
);
CREATE INDEX sign_codes_document ON sign_codes (document_id, id);

-- The evidence of one signature.
CREATE TABLE document_signatures (
    document_id INTEGER PRIMARY KEY REFERENCES issued_documents (id),
    client_id INTEGER NOT NULL REFERENCES clients (id),
    telegram_id INTEGER NOT NULL,
    phone TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    template_version TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    code_sent_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    agreement_version TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('mini_app', 'chat')),
    ip TEXT,
    user_agent TEXT,
    signed_at TEXT NOT NULL
);

-- The agreement on using a simple electronic signature, accepted once per client and version.
CREATE TABLE es_agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    version TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('mini_app', 'chat')),
    ip TEXT,
    user_agent TEXT,
    accepted_at TEXT NOT NULL,
    UNIQUE (client_id, version)
);

-- Which consent text (version and hash) a yes/no answer was given to.
ALTER TABLE consent_events ADD COLUMN text_version TEXT;
ALTER TABLE consent_events ADD COLUMN text_sha256 TEXT;

-- The outbox carries documents (sent as a file or opened as a Mini App) and messages whose body
-- must not lie in clear (a one-time code): `sealed_body` holds it sealed, `body` says what it is.
ALTER TABLE outbox ADD COLUMN document_id INTEGER REFERENCES issued_documents (id);
ALTER TABLE outbox ADD COLUMN sealed_body BLOB;

CREATE TRIGGER issued_documents_no_update BEFORE UPDATE ON issued_documents
BEGIN SELECT RAISE(ABORT, 'issued_documents is append-only'); END;
CREATE TRIGGER issued_documents_no_delete BEFORE DELETE ON issued_documents
BEGIN SELECT RAISE(ABORT, 'issued_documents is append-only'); END;
CREATE TRIGGER document_copies_no_delete BEFORE DELETE ON document_copies
BEGIN SELECT RAISE(ABORT, 'document_copies is append-only'); END;
CREATE TRIGGER document_events_no_update BEFORE UPDATE ON document_events
BEGIN SELECT RAISE(ABORT, 'document_events is append-only'); END;
CREATE TRIGGER document_events_no_delete BEFORE DELETE ON document_events
BEGIN SELECT RAISE(ABORT, 'document_events is append-only'); END;
CREATE TRIGGER document_signatures_no_update BEFORE UPDATE ON document_signatures
BEGIN SELECT RAISE(ABORT, 'document_signatures is append-only'); END;
CREATE TRIGGER document_signatures_no_delete BEFORE DELETE ON document_signatures
BEGIN SELECT RAISE(ABORT, 'document_signatures is append-only'); END;
CREATE TRIGGER es_agreements_no_update BEFORE UPDATE ON es_agreements
BEGIN SELECT RAISE(ABORT, 'es_agreements is append-only'); END;
CREATE TRIGGER es_agreements_no_delete BEFORE DELETE ON es_agreements
BEGIN SELECT RAISE(ABORT, 'es_agreements is append-only'); END;
