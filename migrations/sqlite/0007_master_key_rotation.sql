-- A data key wrapped by the next master key while `tourcrm keys rotate --master` is under way:
-- both forms are kept until the new master key is in place (the key file replaced, or the
-- service started with the new TOURCRM_MASTER_KEY), then `wrapped` takes this value and it is
-- cleared. NULL when no master key rotation waits.
ALTER TABLE data_keys ADD COLUMN wrapped_next BLOB;
