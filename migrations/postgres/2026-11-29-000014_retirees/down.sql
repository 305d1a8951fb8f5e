DROP TABLE retiree_visits;
DROP TABLE pensions;
DROP TABLE retirees;
