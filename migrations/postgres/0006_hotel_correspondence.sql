-- The correspondence with a hotel names its subject (a letter's subject line, a call's topic)
-- and, when known, the hotel's manager it was with. Client histories leave both empty.

ALTER TABLE interactions ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN hotel_manager_id BIGINT REFERENCES hotel_managers (id);
