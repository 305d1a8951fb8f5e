-- As on PostgreSQL, the meal summary's pending changes have no key or index. On SQLite the
-- table is always empty (its triggers write `stat_meals` directly): it is made again.
DROP TABLE stat_meal_deltas;
CREATE TABLE stat_meal_deltas (
    service_date DATE NOT NULL,
    unit_key INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL
);
