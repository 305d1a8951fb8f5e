-- A person's move to another unit raced their meal changes (found by QA under load, #10):
-- the meal triggers read the person's unit without a lock, so a change made while a move was
-- not yet committed counted under the old unit, after the move had re-counted the person's
-- meals under the new one — per-unit figures drifted for good (totals stayed right). The
-- triggers now read the unit FOR SHARE: a meal change waits for a move of that person in
-- progress (and then sees the new unit), and a move waits for that person's meal changes in
-- progress (its re-count then sees them). Staff do not wait for one another: each locks only
-- their own person row. The summaries are then counted again from the meals, which repairs
-- any drift already there.

CREATE OR REPLACE FUNCTION stat_add(d DATE, person INTEGER, opt INTEGER, k TEXT, st TEXT, n INTEGER, eaten INTEGER)
RETURNS void AS $$
DECLARE u INTEGER;
BEGIN
    SELECT COALESCE(unit_id, 0) INTO u FROM persons WHERE id = person FOR SHARE;
    u := COALESCE(u, 0);
    INSERT INTO stat_meal_deltas (service_date, unit_key, option_id, kind, status, n)
    VALUES (d, u, opt, k, st, n);
    IF eaten <> 0 THEN
        INSERT INTO stat_eaters VALUES (to_char(d, 'YYYY-MM'), person, u, eaten)
        ON CONFLICT (month, person_id) DO UPDATE SET meals = stat_eaters.meals + EXCLUDED.meals;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION stat_meal_row() RETURNS trigger AS $$
DECLARE k TEXT; u INTEGER;
BEGIN
    k := CASE TG_TABLE_NAME WHEN 'orders' THEN 'order' ELSE 'walk_in' END;
    -- The common change (order, change of option, cancellation) of one person's meal, not
    -- eaten before or after: its −1 and +1 in one statement, the unit looked up once.
    IF TG_OP = 'UPDATE' AND NEW.person_id = OLD.person_id
        AND OLD.status <> 'served' AND NEW.status <> 'served' THEN
        SELECT unit_id INTO u FROM persons WHERE id = NEW.person_id FOR SHARE;
        u := COALESCE(u, 0);
        INSERT INTO stat_meal_deltas (service_date, unit_key, option_id, kind, status, n)
        VALUES (OLD.service_date, u, OLD.option_id, k, OLD.status, -1),
               (NEW.service_date, u, NEW.option_id, k, NEW.status, 1);
        RETURN NULL;
    END IF;
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

-- Count the summaries again from the meals (as migration 000019 first filled them).
DELETE FROM stat_meal_deltas;
DELETE FROM stat_meals;
DELETE FROM stat_eaters;
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
