-- A counter per kind of rarely changed data that pages cache in memory. The triggers bump
-- 'menu' on every change to the menus, the service calendar and the settings, so a server
-- (or several on one PostgreSQL) knows with one indexed read whether its copy is current.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name, version) VALUES ('menu', 0);

CREATE FUNCTION bump_menu_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'menu';
    RETURN NULL;
END;
$$;

CREATE TRIGGER meal_options_menu_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON meal_options
FOR EACH STATEMENT EXECUTE FUNCTION bump_menu_version();
CREATE TRIGGER service_days_menu_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_days
FOR EACH STATEMENT EXECUTE FUNCTION bump_menu_version();
CREATE TRIGGER settings_menu_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
FOR EACH STATEMENT EXECUTE FUNCTION bump_menu_version();
