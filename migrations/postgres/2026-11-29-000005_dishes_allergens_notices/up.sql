-- Menu safety: options hold dishes (not a display string), dishes carry allergens from a
-- fixed list (codes, comma-separated) plus free notes and a solid/liquid flag; people record
-- their own allergens; make-up working days name the day they replace; people are told when
-- someone else changed their meal.

-- The free text written so far becomes the notes; the codes are chosen again from the list.
ALTER TABLE dishes ADD COLUMN allergen_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE dishes ADD COLUMN liquid BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE dishes SET allergen_notes = allergens, allergens = '';
-- Best effort: words of the free text that name a group tick it (the text stays as the
-- notes, so nothing is lost; the kitchen checks the ticks on the dish page).
UPDATE dishes SET allergens = allergens || ',gluten' WHERE lower(allergen_notes) LIKE '%gluten%' OR lower(allergen_notes) LIKE '%lúa mì%' OR lower(allergen_notes) LIKE '%bột mì%' OR lower(allergen_notes) LIKE '%lúa mạch%';
UPDATE dishes SET allergens = allergens || ',crustaceans' WHERE lower(allergen_notes) LIKE '%tôm%' OR lower(allergen_notes) LIKE '%cua%' OR lower(allergen_notes) LIKE '%ghẹ%' OR lower(allergen_notes) LIKE '%tép%';
UPDATE dishes SET allergens = allergens || ',eggs' WHERE lower(allergen_notes) LIKE '%trứng%';
UPDATE dishes SET allergens = allergens || ',fish' WHERE lower(allergen_notes) LIKE '%cá%';
UPDATE dishes SET allergens = allergens || ',peanuts' WHERE lower(allergen_notes) LIKE '%đậu phộng%' OR lower(allergen_notes) LIKE '%lạc%';
UPDATE dishes SET allergens = allergens || ',soy' WHERE lower(allergen_notes) LIKE '%đậu nành%' OR lower(allergen_notes) LIKE '%đậu phụ%' OR lower(allergen_notes) LIKE '%đậu hũ%' OR lower(allergen_notes) LIKE '%tàu hũ%' OR lower(allergen_notes) LIKE '%nước tương%' OR lower(allergen_notes) LIKE '%xì dầu%';
UPDATE dishes SET allergens = allergens || ',milk' WHERE lower(allergen_notes) LIKE '%sữa%' OR lower(allergen_notes) LIKE '%bơ%' OR lower(allergen_notes) LIKE '%phô mai%';
UPDATE dishes SET allergens = allergens || ',nuts' WHERE lower(allergen_notes) LIKE '%hạt điều%' OR lower(allergen_notes) LIKE '%óc chó%' OR lower(allergen_notes) LIKE '%hạnh nhân%' OR lower(allergen_notes) LIKE '%hạt dẻ%';
UPDATE dishes SET allergens = allergens || ',celery' WHERE lower(allergen_notes) LIKE '%cần tây%';
UPDATE dishes SET allergens = allergens || ',mustard' WHERE lower(allergen_notes) LIKE '%mù tạt%';
UPDATE dishes SET allergens = allergens || ',sesame' WHERE lower(allergen_notes) LIKE '%vừng%' OR lower(allergen_notes) LIKE '%mè%';
UPDATE dishes SET allergens = allergens || ',sulphites' WHERE lower(allergen_notes) LIKE '%sulfit%' OR lower(allergen_notes) LIKE '%sunfit%';
UPDATE dishes SET allergens = allergens || ',molluscs' WHERE lower(allergen_notes) LIKE '%mực%' OR lower(allergen_notes) LIKE '%ốc%' OR lower(allergen_notes) LIKE '%nghêu%' OR lower(allergen_notes) LIKE '%ngao%' OR lower(allergen_notes) LIKE '%sò%' OR lower(allergen_notes) LIKE '%hến%' OR lower(allergen_notes) LIKE '%bạch tuộc%';
UPDATE dishes SET allergens = substr(allergens, 2) WHERE allergens LIKE ',%';

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
ALTER TABLE meal_options ADD COLUMN allergen_notes TEXT NOT NULL DEFAULT '';

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
