-- The unit read without a lock again (migration 000023).
CREATE OR REPLACE FUNCTION stat_add(d DATE, person INTEGER, opt INTEGER, k TEXT, st TEXT, n INTEGER, eaten INTEGER)
RETURNS void AS $$
DECLARE u INTEGER;
BEGIN
    SELECT COALESCE(unit_id, 0) INTO u FROM persons WHERE id = person;
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
        SELECT unit_id INTO u FROM persons WHERE id = NEW.person_id;
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
