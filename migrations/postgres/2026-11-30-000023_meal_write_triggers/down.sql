-- Fold what is pending, then write stat_meals directly again.
INSERT INTO stat_meals (service_date, unit_key, option_id, kind, status, n)
SELECT service_date, unit_key, option_id, kind, status, CAST(SUM(n) AS INTEGER) FROM stat_meal_deltas
GROUP BY service_date, unit_key, option_id, kind, status
ON CONFLICT (service_date, unit_key, option_id, kind, status) DO UPDATE SET n = stat_meals.n + EXCLUDED.n;
DROP TABLE stat_meal_deltas;

CREATE OR REPLACE FUNCTION stat_add(d DATE, person INTEGER, opt INTEGER, k TEXT, st TEXT, n INTEGER, eaten INTEGER)
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
CREATE OR REPLACE FUNCTION stat_person_unit() RETURNS trigger AS $$
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

CREATE OR REPLACE FUNCTION refuse_closed_month() RETURNS trigger AS $$
DECLARE
    old_from DATE; old_to DATE; new_from DATE; new_to DATE;
BEGIN
    -- Ending (or extending) a dated row changes only the days between its old and new end:
    -- those must be open; any other change must not touch a closed month at all.
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'range'
        AND (to_jsonb(NEW) - 'valid_to') = (to_jsonb(OLD) - 'valid_to') THEN
        IF NEW.valid_to IS DISTINCT FROM OLD.valid_to AND month_closed(
            LEAST(COALESCE(OLD.valid_to, DATE '9999-12-30'), COALESCE(NEW.valid_to, DATE '9999-12-30')) + 1,
            GREATEST(COALESCE(OLD.valid_to, DATE '9999-12-31'), COALESCE(NEW.valid_to, DATE '9999-12-31'))) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        IF TG_ARGV[0] = 'range' THEN old_from := OLD.valid_from; old_to := OLD.valid_to;
        ELSIF TG_ARGV[0] = 'month' THEN old_from := to_date(OLD.month || '-01', 'YYYY-MM-DD'); old_to := old_from;
        ELSE old_from := OLD.service_date; old_to := old_from; END IF;
        IF month_closed(old_from, old_to) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF TG_ARGV[0] = 'range' THEN new_from := NEW.valid_from; new_to := NEW.valid_to;
        ELSIF TG_ARGV[0] = 'month' THEN new_from := to_date(NEW.month || '-01', 'YYYY-MM-DD'); new_to := new_from;
        ELSE new_from := NEW.service_date; new_to := new_from; END IF;
        IF month_closed(new_from, new_to) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION stat_meal_row() RETURNS trigger AS $$
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
