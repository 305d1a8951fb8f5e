-- A counter per kind of rarely changed data that pages cache in memory. The triggers bump
-- 'menu' on every change to the menus, the service calendar and the settings, so a server
-- (or several on one PostgreSQL) knows with one indexed read whether its copy is current.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name, version) VALUES ('menu', 0);

CREATE TRIGGER meal_options_menu_version_insert AFTER INSERT ON meal_options
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER meal_options_menu_version_update AFTER UPDATE ON meal_options
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER meal_options_menu_version_delete AFTER DELETE ON meal_options
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;

CREATE TRIGGER service_days_menu_version_insert AFTER INSERT ON service_days
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER service_days_menu_version_update AFTER UPDATE ON service_days
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER service_days_menu_version_delete AFTER DELETE ON service_days
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;

CREATE TRIGGER settings_menu_version_insert AFTER INSERT ON settings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER settings_menu_version_update AFTER UPDATE ON settings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
CREATE TRIGGER settings_menu_version_delete AFTER DELETE ON settings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'menu'; END;
