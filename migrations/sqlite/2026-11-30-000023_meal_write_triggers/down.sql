DROP TABLE stat_meal_deltas;
