ALTER TABLE stat_meal_deltas ADD COLUMN id SERIAL PRIMARY KEY;
CREATE INDEX stat_meal_deltas_date ON stat_meal_deltas(service_date);
