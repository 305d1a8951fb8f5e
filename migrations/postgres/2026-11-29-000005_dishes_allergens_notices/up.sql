-- Menu safety: options hold dishes (not a display string), dishes carry allergens from a
-- fixed list (codes, comma-separated) plus free notes and a solid/liquid flag; people record
-- their own allergens; make-up working days name the day they replace; people are told when
-- someone else changed their meal.

-- The free text written so far becomes the notes; the codes are chosen again from the list.
ALTER TABLE dishes ADD COLUMN allergen_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE dishes ADD COLUMN liquid BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE dishes SET allergen_notes = allergens, allergens = '';

-- What the option holds, in order. `meal_options.dishes` and `.allergens` keep what was
-- served on that day (names and allergen codes at the time) for display and history.
CREATE TABLE option_dishes (
    option_id INTEGER NOT NULL REFERENCES meal_options(id) ON DELETE CASCADE,
    dish_id INTEGER NOT NULL REFERENCES dishes(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (option_id, dish_id)
);
CREATE INDEX option_dishes_dish ON option_dishes(dish_id);
INSERT INTO option_dishes (option_id, dish_id, position)
SELECT o.id, d.id, strpos(' · ' || o.dishes || ' · ', ' · ' || d.name || ' · ')
FROM meal_options o JOIN dishes d
  ON strpos(' · ' || o.dishes || ' · ', ' · ' || d.name || ' · ') > 0;
ALTER TABLE meal_options ADD COLUMN allergens TEXT NOT NULL DEFAULT '';

ALTER TABLE persons ADD COLUMN allergens TEXT NOT NULL DEFAULT '';

-- A make-up working day (làm bù) names the weekday it replaces; standing orders of that
-- weekday apply.
ALTER TABLE service_days ADD COLUMN makeup_for DATE;

-- Things a person is told on their next visit (the kitchen changed their meal; the dishes of
-- an option they ordered changed). `detail` is JSON with the data to word the notice.
CREATE TABLE notices (
    id SERIAL PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    seen_at TIMESTAMP
);
CREATE INDEX notices_person_unseen ON notices(person_id, seen_at);
