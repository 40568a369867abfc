-- Documents made from templates (the tour sale contract, the personal-data consent, the
-- marketing consent) and the data they need that is entered once. Portable types only (see
-- crm/src/store/mod.rs).

-- Each saved text of a document template is a new version; the highest is in force. With no
-- row for a kind, version 1 is the default from templates/docs/.
CREATE TABLE document_templates (
    kind TEXT NOT NULL CHECK (kind IN ('contract', 'pd_consent', 'marketing_consent')),
    version BIGINT NOT NULL CHECK (version >= 2),
    source TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);

-- The agency's requisites (one row), kept as the validated JSON the services write.
CREATE TABLE agency_requisites (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A tour operator's entry in the Единый федеральный реестр туроператоров and its financial
-- security, per operator account (tours name their operator by staff id).
CREATE TABLE operator_registry (
    operator_id BIGINT PRIMARY KEY REFERENCES staff (id),
    data TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A client's address as the documents state it (152-FZ art. 9 part 4 asks for the subject's).
CREATE TABLE client_addresses (
    client_id BIGINT PRIMARY KEY REFERENCES clients (id),
    address TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
