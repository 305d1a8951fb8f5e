-- The check as 2026-11-30-000019 wrote it.
CREATE TEMP TABLE stat_meals_copy AS
    SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meals;
DROP TABLE stat_meals;
CREATE TABLE stat_meals (
    service_date DATE NOT NULL,
    unit_key INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('order', 'walk_in', 'guest')),
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (service_date, unit_key, option_id, kind, status)
) WITHOUT ROWID;
INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, unit_key, option_id, kind, status, n FROM stat_meals_copy;
DROP TABLE stat_meals_copy;
