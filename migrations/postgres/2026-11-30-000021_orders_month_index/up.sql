-- A month's staff meals (the subsidy split of an open month, statements, reports) are read from
-- this index alone (index-only scan): rows of one month lie together in it, while in the table
-- they lie in the order they were booked. Same key as before, so every earlier use still fits.
DROP INDEX orders_date;
CREATE INDEX orders_date ON orders(service_date, status) INCLUDE (id, person_id, option_id, price_vnd);
