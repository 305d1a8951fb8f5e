DROP TABLE month_closes;
DROP TABLE statement_lines;
