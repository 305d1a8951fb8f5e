-- The meal summary's `kind` check written as comparisons joined by OR instead of
-- `kind IN ('order', 'walk_in', 'guest')` (#10), as 2026-11-29-000003 did for the meals:
-- SQLite builds a temporary b-tree for an IN list of more than two constants each time it
-- checks one, and the triggers write this table for every meal, guest or walk-in that
-- changes (a tenth of a week submission's instructions). Same meaning.
-- The table is rebuilt without ALTER TABLE RENAME (the meal triggers name it, and a rename
-- checks every trigger against the schema of the moment); it has no foreign keys, and no
-- trigger or index of its own besides its key.
CREATE TEMP TABLE stat_meals_copy AS
    SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meals;
DROP TABLE stat_meals;
CREATE TABLE stat_meals (
    service_date DATE NOT NULL,
    unit_key INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'order' OR kind = 'walk_in' OR kind = 'guest'),
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (service_date, unit_key, option_id, kind, status)
) WITHOUT ROWID;
INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meals_copy;
DROP TABLE stat_meals_copy;
