ALTER TABLE benefit_types DROP COLUMN relatives;
