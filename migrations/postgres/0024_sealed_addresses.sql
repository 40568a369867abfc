-- A client's address is personal data: sealed in secure_documents like the passports
-- (doc_kind 'address'). The clear rows of client_addresses are sealed and deleted by the
-- application at its next start (Crm::seal_clear_addresses), which needs the key.
ALTER TABLE secure_documents DROP CONSTRAINT secure_documents_doc_kind_check;
ALTER TABLE secure_documents ADD CONSTRAINT secure_documents_doc_kind_check
    CHECK (doc_kind IN ('internal_passport', 'foreign_passport', 'payment_details', 'birth_certificate', 'address'));
