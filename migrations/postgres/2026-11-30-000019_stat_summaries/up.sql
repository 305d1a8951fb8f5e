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
);

CREATE TABLE stat_eaters (
    month TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    unit_key INTEGER NOT NULL,
    meals INTEGER NOT NULL,
    PRIMARY KEY (month, person_id)
);
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
    SELECT to_char(o.service_date, 'YYYY-MM') AS m, o.person_id, COALESCE(p.unit_id, 0) AS unit_key, 1 AS k
    FROM orders o JOIN persons p ON p.id = o.person_id WHERE o.status = 'served'
    UNION ALL
    SELECT to_char(w.service_date, 'YYYY-MM'), w.person_id, COALESCE(p.unit_id, 0), 1
    FROM walk_ins w JOIN persons p ON p.id = w.person_id WHERE w.status = 'served'
) x GROUP BY m, person_id, unit_key;

-- Adds `n` meals of a kind to a group, and `eaten` to the person's month.
CREATE FUNCTION stat_add(d DATE, person INTEGER, opt INTEGER, k TEXT, st TEXT, n INTEGER, eaten INTEGER)
RETURNS void AS $$
DECLARE u INTEGER;
BEGIN
    SELECT COALESCE(unit_id, 0) INTO u FROM persons WHERE id = person;
    u := COALESCE(u, 0);
    INSERT INTO stat_meals VALUES (d, u, opt, k, st, n)
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = stat_meals.n + EXCLUDED.n;
    IF eaten <> 0 THEN
        INSERT INTO stat_eaters VALUES (to_char(d, 'YYYY-MM'), person, u, eaten)
        ON CONFLICT (month, person_id) DO UPDATE SET meals = stat_eaters.meals + EXCLUDED.meals;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION stat_meal_row() RETURNS trigger AS $$
DECLARE k TEXT;
BEGIN
    k := CASE TG_TABLE_NAME WHEN 'orders' THEN 'order' ELSE 'walk_in' END;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stat_add(OLD.service_date, OLD.person_id, OLD.option_id, k, OLD.status, -1,
            CASE WHEN OLD.status = 'served' THEN -1 ELSE 0 END);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM stat_add(NEW.service_date, NEW.person_id, NEW.option_id, k, NEW.status, 1,
            CASE WHEN NEW.status = 'served' THEN 1 ELSE 0 END);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION stat_guest_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stat_add(OLD.service_date, OLD.person_id, OLD.option_id, 'guest', OLD.status, -OLD.guests, 0);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM stat_add(NEW.service_date, NEW.person_id, NEW.option_id, 'guest', NEW.status, NEW.guests, 0);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stat_orders_change AFTER INSERT OR DELETE ON orders
FOR EACH ROW EXECUTE FUNCTION stat_meal_row();
CREATE TRIGGER stat_orders_update AFTER UPDATE OF status, option_id, service_date, person_id ON orders
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.option_id IS DISTINCT FROM NEW.option_id
    OR OLD.service_date IS DISTINCT FROM NEW.service_date OR OLD.person_id IS DISTINCT FROM NEW.person_id)
EXECUTE FUNCTION stat_meal_row();
CREATE TRIGGER stat_walk_ins_change AFTER INSERT OR DELETE ON walk_ins
FOR EACH ROW EXECUTE FUNCTION stat_meal_row();
CREATE TRIGGER stat_walk_ins_update AFTER UPDATE OF status, option_id, service_date, person_id ON walk_ins
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.option_id IS DISTINCT FROM NEW.option_id
    OR OLD.service_date IS DISTINCT FROM NEW.service_date OR OLD.person_id IS DISTINCT FROM NEW.person_id)
EXECUTE FUNCTION stat_meal_row();
CREATE TRIGGER stat_guests_change AFTER INSERT OR DELETE ON guest_meals
FOR EACH ROW EXECUTE FUNCTION stat_guest_row();
CREATE TRIGGER stat_guests_update AFTER UPDATE OF status, option_id, service_date, person_id, guests ON guest_meals
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.option_id IS DISTINCT FROM NEW.option_id
    OR OLD.service_date IS DISTINCT FROM NEW.service_date OR OLD.person_id IS DISTINCT FROM NEW.person_id
    OR OLD.guests IS DISTINCT FROM NEW.guests)
EXECUTE FUNCTION stat_guest_row();

-- A person moving to another unit takes their counts along.
CREATE FUNCTION stat_person_unit() RETURNS trigger AS $$
BEGIN
    INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
    SELECT service_date, u, option_id, k, status, SUM(n) FROM (
        SELECT service_date, COALESCE(OLD.unit_id, 0) AS u, option_id, 'order' AS k, status, -COUNT(*) AS n FROM orders WHERE person_id = NEW.id GROUP BY service_date, option_id, status
        UNION ALL
        SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'order', status, COUNT(*) FROM orders WHERE person_id = NEW.id GROUP BY service_date, option_id, status
        UNION ALL
        SELECT service_date, COALESCE(OLD.unit_id, 0), option_id, 'walk_in', status, -COUNT(*) FROM walk_ins WHERE person_id = NEW.id GROUP BY service_date, option_id, status
        UNION ALL
        SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'walk_in', status, COUNT(*) FROM walk_ins WHERE person_id = NEW.id GROUP BY service_date, option_id, status
        UNION ALL
        SELECT service_date, COALESCE(OLD.unit_id, 0), option_id, 'guest', status, -SUM(guests) FROM guest_meals WHERE person_id = NEW.id GROUP BY service_date, option_id, status
        UNION ALL
        SELECT service_date, COALESCE(NEW.unit_id, 0), option_id, 'guest', status, SUM(guests) FROM guest_meals WHERE person_id = NEW.id GROUP BY service_date, option_id, status
    ) moved GROUP BY service_date, u, option_id, k, status
    ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = stat_meals.n + EXCLUDED.n;
    UPDATE stat_eaters SET unit_key = COALESCE(NEW.unit_id, 0) WHERE person_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stat_person_unit AFTER UPDATE OF unit_id ON persons
FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id)
EXECUTE FUNCTION stat_person_unit();
