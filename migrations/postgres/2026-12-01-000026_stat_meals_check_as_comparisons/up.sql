-- SQLite only: PostgreSQL checks `kind IN (...)` without any per-statement temporary
-- structure, so its constraint stays as it is.
SELECT 1;
