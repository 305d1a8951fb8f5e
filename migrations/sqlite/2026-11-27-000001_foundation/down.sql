DROP TABLE audit_log;
DROP TABLE settings;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE person_history;
DROP TABLE persons;
DROP TABLE units;
