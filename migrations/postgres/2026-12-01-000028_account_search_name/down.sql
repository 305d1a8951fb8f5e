ALTER TABLE users DROP COLUMN search_name;
