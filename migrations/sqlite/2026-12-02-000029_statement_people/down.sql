DROP TABLE statement_people;
