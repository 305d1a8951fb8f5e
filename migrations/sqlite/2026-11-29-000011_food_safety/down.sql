DROP TRIGGER IF EXISTS food_samples_held;
DROP TABLE food_incidents;
DROP TABLE food_samples;
DROP TABLE food_serve_checks;
DROP TABLE food_prep_checks;
DROP TABLE food_delivery_items;
DROP TABLE food_deliveries;
DROP TABLE food_certificates;
