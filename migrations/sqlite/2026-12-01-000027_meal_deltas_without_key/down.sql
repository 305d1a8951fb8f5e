DROP TABLE stat_meal_deltas;
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
