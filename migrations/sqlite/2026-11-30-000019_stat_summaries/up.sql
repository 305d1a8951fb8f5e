-- Summary tables of the statistics (#11): a year of meals for 10 000 staff is millions of rows;
-- the reports read these instead. They are kept by triggers on the rows they count, so every
-- path that changes a meal — the order store commands, the set-based day closes and no-shows,
-- imports, scripts, another server — keeps them in the same transaction, and a recomputation
-- always equals them (tested).
--
-- stat_meals: per day × eater's unit (0: none) × option × kind × state, the number of meals
-- (guests: the number of guests).
-- stat_eaters: per month × person, the meals eaten (ordered and served, or walked in), with the
-- person's unit; "people who ate in the period" without reading the meals.
-- A person who moves to another unit takes their counts along (the reports count by the
-- eater's unit as it is now).
CREATE TABLE stat_meals (
    service_date DATE NOT NULL,
    unit_key INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('order', 'walk_in', 'guest')),
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (service_date, unit_key, option_id, kind, status)
) WITHOUT ROWID;

CREATE TABLE stat_eaters (
    month TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    unit_key INTEGER NOT NULL,
    meals INTEGER NOT NULL,
    PRIMARY KEY (month, person_id)
) WITHOUT ROWID;
CREATE INDEX stat_eaters_person ON stat_eaters(person_id);

INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
SELECT o.service_date, COALESCE(p.unit_id, 0), o.option_id, 'order', o.status, COUNT(*)
FROM orders o JOIN persons p ON p.id = o.person_id
GROUP BY o.service_date, COALESCE(p.unit_id, 0), o.option_id, o.status;
INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
SELECT w.service_date, COALESCE(p.unit_id, 0), w.option_id, 'walk_in', w.status, COUNT(*)
FROM walk_ins w JOIN persons p ON p.id = w.person_id
GROUP BY w.service_date, COALESCE(p.unit_id, 0), w.option_id, w.status;
INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
SELECT g.service_date, COALESCE(p.unit_id, 0), g.option_id, 'guest', g.status, SUM(g.guests)
FROM guest_meals g JOIN persons p ON p.id = g.person_id
GROUP BY g.service_date, COALESCE(p.unit_id, 0), g.option_id, g.status;
INSERT INTO stat_eaters (month, person_id, unit_key, meals)
SELECT m, person_id, unit_key, SUM(k) FROM (
    SELECT substr(o.service_date, 1, 7) AS m, o.person_id, COALESCE(p.unit_id, 0) AS unit_key, 1 AS k
    FROM orders o JOIN persons p ON p.id = o.person_id WHERE o.status = 'served'
    UNION ALL
    SELECT substr(w.service_date, 1, 7), w.person_id, COALESCE(p.unit_id, 0), 1
    FROM walk_ins w JOIN persons p ON p.id = w.person_id WHERE w.status = 'served'
) GROUP BY m, person_id, unit_key;

-- Orders.
CREATE TRIGGER stat_orders_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'order', NEW.status, 1)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + 1;
    INSERT INTO stat_eaters SELECT substr(NEW.service_date, 1, 7), NEW.person_id, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), 1 WHERE NEW.status = 'served'
    ON CONFLICT (month, person_id) DO UPDATE SET meals = meals + 1;
END;
CREATE TRIGGER stat_orders_delete AFTER DELETE ON orders
BEGIN
    UPDATE stat_meals SET n = n - 1 WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'order' AND status = OLD.status;
    UPDATE stat_eaters SET meals = meals - 1 WHERE OLD.status = 'served' AND month = substr(OLD.service_date, 1, 7) AND person_id = OLD.person_id;
END;
CREATE TRIGGER stat_orders_update AFTER UPDATE OF status, option_id, service_date, person_id ON orders
WHEN OLD.status IS NOT NEW.status OR OLD.option_id IS NOT NEW.option_id OR OLD.service_date IS NOT NEW.service_date OR OLD.person_id IS NOT NEW.person_id
BEGIN
    UPDATE stat_meals SET n = n - 1 WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'order' AND status = OLD.status;
    UPDATE stat_eaters SET meals = meals - 1 WHERE OLD.status = 'served' AND month = substr(OLD.service_date, 1, 7) AND person_id = OLD.person_id;
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'order', NEW.status, 1)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + 1;
    INSERT INTO stat_eaters SELECT substr(NEW.service_date, 1, 7), NEW.person_id, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), 1 WHERE NEW.status = 'served'
    ON CONFLICT (month, person_id) DO UPDATE SET meals = meals + 1;
END;

-- Walk-ins.
CREATE TRIGGER stat_walk_ins_insert AFTER INSERT ON walk_ins
BEGIN
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'walk_in', NEW.status, 1)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + 1;
    INSERT INTO stat_eaters SELECT substr(NEW.service_date, 1, 7), NEW.person_id, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), 1 WHERE NEW.status = 'served'
    ON CONFLICT (month, person_id) DO UPDATE SET meals = meals + 1;
END;
CREATE TRIGGER stat_walk_ins_delete AFTER DELETE ON walk_ins
BEGIN
    UPDATE stat_meals SET n = n - 1 WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'walk_in' AND status = OLD.status;
    UPDATE stat_eaters SET meals = meals - 1 WHERE OLD.status = 'served' AND month = substr(OLD.service_date, 1, 7) AND person_id = OLD.person_id;
END;
CREATE TRIGGER stat_walk_ins_update AFTER UPDATE OF status, option_id, service_date, person_id ON walk_ins
WHEN OLD.status IS NOT NEW.status OR OLD.option_id IS NOT NEW.option_id OR OLD.service_date IS NOT NEW.service_date OR OLD.person_id IS NOT NEW.person_id
BEGIN
    UPDATE stat_meals SET n = n - 1 WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'walk_in' AND status = OLD.status;
    UPDATE stat_eaters SET meals = meals - 1 WHERE OLD.status = 'served' AND month = substr(OLD.service_date, 1, 7) AND person_id = OLD.person_id;
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'walk_in', NEW.status, 1)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + 1;
    INSERT INTO stat_eaters SELECT substr(NEW.service_date, 1, 7), NEW.person_id, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), 1 WHERE NEW.status = 'served'
    ON CONFLICT (month, person_id) DO UPDATE SET meals = meals + 1;
END;

-- Guest meals (counted in guests).
CREATE TRIGGER stat_guests_insert AFTER INSERT ON guest_meals
BEGIN
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'guest', NEW.status, NEW.guests)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stat_guests_delete AFTER DELETE ON guest_meals
BEGIN
    UPDATE stat_meals SET n = n - OLD.guests WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'guest' AND status = OLD.status;
END;
CREATE TRIGGER stat_guests_update AFTER UPDATE OF status, option_id, service_date, person_id, guests ON guest_meals
WHEN OLD.status IS NOT NEW.status OR OLD.option_id IS NOT NEW.option_id OR OLD.service_date IS NOT NEW.service_date OR OLD.person_id IS NOT NEW.person_id OR OLD.guests IS NOT NEW.guests
BEGIN
    UPDATE stat_meals SET n = n - OLD.guests WHERE service_date = OLD.service_date AND unit_key = COALESCE((SELECT unit_id FROM persons WHERE id = OLD.person_id), 0) AND option_id = OLD.option_id AND kind = 'guest' AND status = OLD.status;
    INSERT INTO stat_meals VALUES (NEW.service_date, COALESCE((SELECT unit_id FROM persons WHERE id = NEW.person_id), 0), NEW.option_id, 'guest', NEW.status, NEW.guests)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
END;

-- A person moving to another unit takes their counts along.
CREATE TRIGGER stat_person_unit AFTER UPDATE OF unit_id ON persons
WHEN OLD.unit_id IS NOT NEW.unit_id
BEGIN
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(OLD.unit_id, 0), option_id, 'order', status, -COUNT(*) FROM orders WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'order', status, COUNT(*) FROM orders WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(OLD.unit_id, 0), option_id, 'walk_in', status, -COUNT(*) FROM walk_ins WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'walk_in', status, COUNT(*) FROM walk_ins WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(OLD.unit_id, 0), option_id, 'guest', status, -SUM(guests) FROM guest_meals WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'guest', status, SUM(guests) FROM guest_meals WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = n + excluded.n;
    UPDATE stat_eaters SET unit_key = COALESCE(NEW.unit_id, 0) WHERE person_id = NEW.id;
END;
