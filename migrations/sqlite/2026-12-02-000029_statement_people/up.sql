-- The people of a closed month as they stood when it was closed: their unit and whether their
-- share was deducted from pay. A closed (or signed) month's pages and files show these, so a
-- later move to another unit, or a later leaving, does not rewrite its statement. Removed with
-- the stored lines when the month reopens. Months closed before this table existed take the
-- people as they are now (the best that is known).
CREATE TABLE statement_people (
    month TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    unit_id INTEGER REFERENCES units(id),
    payroll BOOLEAN NOT NULL,
    PRIMARY KEY (month, person_id)
);
INSERT INTO statement_people (month, person_id, unit_id, payroll)
SELECT w.month, p.id, p.unit_id, (p.status = 'working' AND p.category <> 'hop_dong')
FROM (
    SELECT month, person_id FROM statement_lines
    UNION
    SELECT a.month, a.person_id FROM adjustments a JOIN month_closes c ON c.month = a.month
) w JOIN persons p ON p.id = w.person_id;

-- A record's own trail (the month page reads its latest reopening) without reading the log.
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
