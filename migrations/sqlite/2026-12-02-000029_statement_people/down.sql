DROP TABLE statement_people;
DROP INDEX audit_log_entity;
