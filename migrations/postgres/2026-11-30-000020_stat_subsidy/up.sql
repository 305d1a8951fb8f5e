-- Summary of a closed month's subsidy (#11): per person × band held on the meal's day × fund
-- (0: all funds), the meals, the meals subsidised, what they were charged, the subsidy and the
-- staff share — written with the month's statement when it is closed (`close_month`) and
-- removed when it is reopened, so a year of subsidies is read without its millions of lines.
-- Months closed before this table existed are filled at the next start (`canteen::migrate`).
CREATE TABLE stat_subsidy (
    month TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    band TEXT NOT NULL,
    fund_key INTEGER NOT NULL,
    meals INTEGER NOT NULL,
    subsidised INTEGER NOT NULL,
    charged BIGINT NOT NULL,
    subsidy BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    PRIMARY KEY (month, person_id, band, fund_key)
);
