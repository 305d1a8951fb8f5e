-- A closed month's subsidy totals per fund (0: all funds) — what `stat_subsidy` sums to, and
-- how many people had a subsidy from the fund (each once, whatever bands they held that month).
-- Written with `stat_subsidy` when the month is closed and removed when it is reopened, so a
-- year of subsidy by month reads twelve rows instead of summing every person's. Months closed
-- before this table existed are filled at the next start (`canteen::migrate`).
CREATE TABLE stat_subsidy_months (
    month TEXT NOT NULL,
    fund_key INTEGER NOT NULL,
    meals BIGINT NOT NULL,
    subsidised BIGINT NOT NULL,
    charged BIGINT NOT NULL,
    subsidy BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (month, fund_key)
);
