-- A person's meals of a date range (My week, a week submission, the kitchen's on-behalf week)
-- are read by prepared statements, which PostgreSQL runs with a generic plan (parameters
-- unknown). Such a plan guesses a date range to be a tiny slice of the table, and while
-- `orders_date` (every column the grid reads) could answer it without the table and the
-- person's unique index could not, it was sometimes chosen: every meal of the next 60 days
-- read to keep one person's ten (measured: 1,286 index entries for 10 rows, half of a
-- "My week" page's database time). The person's unique index now carries the same columns,
-- so it is the cheaper of the two for any guess. Same key, so it still keeps one meal per
-- person and day (a duplicate still fails with a unique violation).
CREATE UNIQUE INDEX orders_person_day ON orders (person_id, service_date)
    INCLUDE (option_id, price_vnd, status);
ALTER TABLE orders DROP CONSTRAINT orders_person_id_service_date_key;
