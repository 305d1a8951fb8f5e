DROP TABLE stat_subsidy_months;
