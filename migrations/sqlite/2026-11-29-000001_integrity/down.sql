DROP TRIGGER order_events_no_delete;
DROP TRIGGER order_events_no_update;
DROP TABLE order_events;
DROP TRIGGER absences_check_insert;
ALTER TABLE guest_meals DROP COLUMN cancel_ref;
ALTER TABLE guest_meals DROP COLUMN cancel_cause;
ALTER TABLE orders DROP COLUMN cancel_ref;
ALTER TABLE orders DROP COLUMN cancel_cause;
INSERT INTO orders (person_id, service_date, option_id, price_vnd, status, source, created_at, updated_at, updated_by, served_at, served_by)
SELECT person_id, service_date, option_id, price_vnd, 'served', 'walk_in', served_at, served_at, served_by, served_at, served_by
FROM walk_ins w WHERE status = 'served'
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.person_id = w.person_id AND o.service_date = w.service_date);
DROP TABLE walk_ins;
DROP TABLE periods;
DROP TABLE login_attempts;
DROP TABLE heartbeat;
