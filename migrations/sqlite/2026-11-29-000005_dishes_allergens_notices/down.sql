DROP TABLE notices;
ALTER TABLE service_days DROP COLUMN makeup_for;
ALTER TABLE persons DROP COLUMN allergens;
ALTER TABLE meal_options DROP COLUMN allergen_notes;
ALTER TABLE meal_options DROP COLUMN allergens;
DROP TABLE option_dishes;
UPDATE dishes SET allergens = allergen_notes;
ALTER TABLE dishes DROP COLUMN liquid;
ALTER TABLE dishes DROP COLUMN allergen_notes;
