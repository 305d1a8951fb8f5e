DROP TABLE report_packs;
