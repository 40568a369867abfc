-- A client's address is personal data: sealed in secure_documents like the passports
-- (doc_kind 'address'). SQLite cannot change a CHECK in place, so the table is rebuilt with the
-- same rows and ids (nothing references it). The clear rows of client_addresses are sealed and
-- deleted by the application at its next start (Crm::seal_clear_addresses), which needs the key.
CREATE TABLE secure_documents_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    doc_kind TEXT NOT NULL
        CHECK (doc_kind IN ('internal_passport', 'foreign_passport', 'payment_details', 'birth_certificate', 'address')),
    key_id TEXT NOT NULL REFERENCES data_keys (id),
    envelope BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_kind, owner_id, doc_kind)
);
INSERT INTO secure_documents_next (id, owner_kind, owner_id, doc_kind, key_id, envelope, updated_at)
    SELECT id, owner_kind, owner_id, doc_kind, key_id, envelope, updated_at FROM secure_documents;
DROP TABLE secure_documents;
ALTER TABLE secure_documents_next RENAME TO secure_documents;
CREATE INDEX secure_documents_key ON secure_documents (key_id);
