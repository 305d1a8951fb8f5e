-- Meals summary without hot rows (#10): on PostgreSQL writers append their +1/−1 to
-- stat_meal_deltas and a background fold moves them into stat_meals (concurrent writers
-- waited for, and deadlocked on, the shared rows). SQLite has one writer, which cannot wait
-- for another: its triggers keep writing stat_meals directly and this table stays empty;
-- it exists so that both databases answer the same reading query. (The cheaper order
-- triggers of the PostgreSQL migration have no counterpart: these are plain SQL already.)
CREATE TABLE stat_meal_deltas (
    id INTEGER PRIMARY KEY,
    service_date DATE NOT NULL,
    unit_key INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX stat_meal_deltas_date ON stat_meal_deltas(service_date);
