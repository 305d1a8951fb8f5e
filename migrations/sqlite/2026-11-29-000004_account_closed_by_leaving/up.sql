-- Why an account is disabled: 'person_gone' when the person left or died (the account opens
-- again by itself if that is undone); NULL when an administrator disabled it.
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
