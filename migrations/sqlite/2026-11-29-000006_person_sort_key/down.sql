DROP INDEX persons_sort_key;
ALTER TABLE persons DROP COLUMN sort_key;
