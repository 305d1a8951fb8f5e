DROP TRIGGER meal_options_menu_version ON meal_options;
DROP TRIGGER service_days_menu_version ON service_days;
DROP TRIGGER settings_menu_version ON settings;
DROP FUNCTION bump_menu_version();
DROP TABLE data_versions;
