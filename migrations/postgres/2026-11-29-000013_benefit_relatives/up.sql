-- Who a benefit is for: the member themself ("self") and/or relatives of these kinds
-- (comma-separated relationship codes). Empty: the member themself only.
ALTER TABLE benefit_types ADD COLUMN relatives TEXT NOT NULL DEFAULT '';
