ALTER TABLE orders ADD CONSTRAINT orders_person_id_service_date_key UNIQUE (person_id, service_date);
DROP INDEX orders_person_day;
