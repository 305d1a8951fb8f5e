DROP TABLE budget_lines;
ALTER TABLE dues_payments DROP COLUMN voucher_id;
ALTER TABLE organisations DROP COLUMN fund_id;
