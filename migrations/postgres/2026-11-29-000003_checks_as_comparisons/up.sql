-- SQLite only: PostgreSQL evaluates `x IN (...)` in a CHECK without any per-statement
-- temporary structure, so its constraints stay as they are.
SELECT 1;
