DROP TABLE report_packs;
DROP FUNCTION report_packs_immutable();
