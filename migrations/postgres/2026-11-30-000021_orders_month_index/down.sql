DROP INDEX orders_date;
CREATE INDEX orders_date ON orders(service_date, status);
