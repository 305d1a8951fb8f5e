DROP TABLE stat_subsidy;
