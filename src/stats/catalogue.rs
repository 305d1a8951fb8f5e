//! The catalogue of standard reports: each with a stable id (its URL), an area, the filters
//! it takes, whether the small-cell rule applies, and who may read it.

use super::filters::Filters;
use super::table::{Column, Out, Row};
use super::{canteen, finance, subsidy, welfare};
use crate::auth::roles::{Role, RoleSet};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Canteen,
    Subsidy,
    Welfare,
}

impl Area {
    pub const ALL: [Area; 3] = [Area::Canteen, Area::Subsidy, Area::Welfare];

    pub fn key(self) -> &'static str {
        match self {
            Area::Canteen => "stats.area.canteen",
            Area::Subsidy => "stats.area.subsidy",
            Area::Welfare => "stats.area.welfare",
        }
    }

    /// The roles whose own area this is (leaders read every area).
    pub fn readers(self) -> &'static [Role] {
        match self {
            Area::Canteen => &[
                Role::Leader,
                Role::Kitchen,
                Role::KitchenManager,
                Role::Accountant,
                Role::Approver,
            ],
            Area::Subsidy => &[Role::Leader, Role::Accountant, Role::Approver],
            Area::Welfare => &[
                Role::Leader,
                Role::UnionOfficer,
                Role::Accountant,
                Role::Approver,
            ],
        }
    }
}

impl Area {
    /// The roles that keep the area's individual records, and so see small groups in full:
    /// accountants and approvers for meals and subsidies, union officers and approvers for
    /// welfare.
    pub fn keepers(self) -> &'static [Role] {
        match self {
            Area::Canteen | Area::Subsidy => &[Role::Accountant, Role::Approver],
            Area::Welfare => &[Role::UnionOfficer, Role::Approver],
        }
    }
}

/// Every role that reads at least one report (the route table's rule for the report routes;
/// each report then checks its own area).
pub const REPORT_READERS: &[Role] = &[
    Role::Leader,
    Role::Kitchen,
    Role::KitchenManager,
    Role::Accountant,
    Role::Approver,
    Role::UnionOfficer,
];

/// Who reads the signed months' report packs: leaders, approvers, accountants.
pub const PACK_READERS: &[Role] = &[Role::Leader, Role::Approver, Role::Accountant];

/// Who sees the dashboard: leaders and the approvers (chief accountant, head of office).
pub const DASHBOARD_READERS: &[Role] = &[Role::Leader, Role::Approver];

/// Which filters a report offers besides the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Takes {
    pub unit: bool,
    pub fund: bool,
}

pub struct Report {
    pub id: &'static str,
    pub area: Area,
    pub title: &'static str,
    pub summary: &'static str,
    pub takes: Takes,
    /// Figures about individuals (subsidies, retirees): rows about fewer than five people are
    /// hidden from roles that do not keep the area's records (`Area::keepers`).
    pub small_cells: bool,
    /// Each month's own total, computed together for every month the period covers whole:
    /// the dashboard reads a report's year in one pass instead of twelve.
    months: Option<MonthsFn>,
    compute: fn(&mut DbConn, &Filters) -> Result<Out, AppError>,
}

/// For each month a period covers whole, the total row of that month's report alone.
pub struct MonthTotals {
    pub columns: &'static [Column],
    pub months: Vec<(NaiveDate, Row)>,
}
type MonthsFn = fn(&mut DbConn, &Filters) -> Result<MonthTotals, AppError>;

impl Report {
    pub fn may_read(&self, roles: RoleSet) -> bool {
        roles.any(self.area.readers())
    }

    pub fn compute(&self, conn: &mut DbConn, f: &Filters) -> Result<Out, AppError> {
        (self.compute)(conn, f)
    }

    /// Each whole month's own total (`None`: compute the months one by one).
    pub fn month_totals(
        &self,
        conn: &mut DbConn,
        f: &Filters,
    ) -> Result<Option<MonthTotals>, AppError> {
        self.months.map(|m| m(conn, f)).transpose()
    }

    /// Whether these roles see the report's small groups in full.
    pub fn shows_small_cells(&self, roles: RoleSet) -> bool {
        !self.small_cells || roles.any(self.area.keepers())
    }
}

const NONE: Takes = Takes {
    unit: false,
    fund: false,
};
const UNIT: Takes = Takes {
    unit: true,
    fund: false,
};
const FUND: Takes = Takes {
    unit: false,
    fund: true,
};

pub const REPORTS: &[Report] = &[
    Report {
        id: "canteen-meals",
        area: Area::Canteen,
        title: "stats.r.meals",
        summary: "stats.r.meals_sum",
        takes: UNIT,
        small_cells: false,
        months: Some(canteen::meals_months),
        compute: canteen::meals,
    },
    Report {
        id: "canteen-participation",
        area: Area::Canteen,
        title: "stats.r.participation",
        summary: "stats.r.participation_sum",
        takes: UNIT,
        small_cells: false,
        months: Some(canteen::participation_months),
        compute: canteen::participation,
    },
    Report {
        id: "canteen-waste",
        area: Area::Canteen,
        title: "stats.r.waste",
        summary: "stats.r.waste_sum",
        takes: NONE,
        small_cells: false,
        months: Some(canteen::waste_months),
        compute: canteen::waste,
    },
    Report {
        id: "canteen-ratings",
        area: Area::Canteen,
        title: "stats.r.ratings",
        summary: "stats.r.ratings_sum",
        takes: NONE,
        small_cells: false,
        months: None,
        compute: canteen::ratings,
    },
    Report {
        id: "canteen-ratings-weeks",
        area: Area::Canteen,
        title: "stats.r.ratings_weeks",
        summary: "stats.r.ratings_weeks_sum",
        takes: NONE,
        small_cells: false,
        months: None,
        compute: canteen::ratings_by_week,
    },
    Report {
        id: "canteen-cost",
        area: Area::Canteen,
        title: "stats.r.cost",
        summary: "stats.r.cost_sum",
        takes: NONE,
        small_cells: false,
        months: Some(finance::cost_months),
        compute: finance::cost,
    },
    Report {
        id: "subsidy-months",
        area: Area::Subsidy,
        title: "stats.r.subsidy_months",
        summary: "stats.r.subsidy_months_sum",
        takes: FUND,
        small_cells: false,
        months: Some(subsidy::by_month_months),
        compute: subsidy::by_month,
    },
    Report {
        id: "subsidy-units",
        area: Area::Subsidy,
        title: "stats.r.subsidy_units",
        summary: "stats.r.subsidy_units_sum",
        takes: Takes {
            unit: true,
            fund: true,
        },
        small_cells: true,
        months: None,
        compute: subsidy::by_unit,
    },
    Report {
        id: "subsidy-bands",
        area: Area::Subsidy,
        title: "stats.r.subsidy_bands",
        summary: "stats.r.subsidy_bands_sum",
        takes: FUND,
        small_cells: true,
        months: None,
        compute: subsidy::by_band,
    },
    Report {
        id: "subsidy-coverage",
        area: Area::Subsidy,
        title: "stats.r.coverage",
        summary: "stats.r.coverage_sum",
        takes: NONE,
        small_cells: true,
        months: Some(subsidy::coverage_months),
        compute: subsidy::coverage,
    },
    Report {
        id: "subsidy-payable",
        area: Area::Subsidy,
        title: "stats.r.payable",
        summary: "stats.r.payable_sum",
        takes: NONE,
        small_cells: false,
        months: None,
        compute: subsidy::payable,
    },
    Report {
        id: "subsidy-budget",
        area: Area::Subsidy,
        title: "stats.r.budget",
        summary: "stats.r.budget_sum",
        takes: FUND,
        small_cells: false,
        months: None,
        compute: finance::budget,
    },
    Report {
        id: "welfare-spending",
        area: Area::Welfare,
        title: "stats.r.welfare_spending",
        summary: "stats.r.welfare_spending_sum",
        takes: FUND,
        small_cells: false,
        months: Some(welfare::spending_months),
        compute: welfare::spending,
    },
    Report {
        id: "welfare-cases",
        area: Area::Welfare,
        title: "stats.r.welfare_cases",
        summary: "stats.r.welfare_cases_sum",
        takes: NONE,
        small_cells: false,
        months: None,
        compute: welfare::by_state,
    },
    Report {
        id: "welfare-dues",
        area: Area::Welfare,
        title: "stats.r.dues",
        summary: "stats.r.dues_sum",
        takes: NONE,
        small_cells: false,
        months: Some(welfare::dues_months),
        compute: welfare::dues,
    },
    Report {
        id: "welfare-occasions",
        area: Area::Welfare,
        title: "stats.r.occasions",
        summary: "stats.r.occasions_sum",
        takes: NONE,
        small_cells: false,
        months: None,
        compute: welfare::occasions,
    },
    Report {
        id: "welfare-retirees",
        area: Area::Welfare,
        title: "stats.r.retirees",
        summary: "stats.r.retirees_sum",
        takes: NONE,
        small_cells: true,
        months: None,
        compute: welfare::retirees,
    },
];

pub fn find(id: &str) -> Option<&'static Report> {
    REPORTS.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_unique_url_safe_and_every_area_role_may_use_the_report_routes() {
        for (i, r) in REPORTS.iter().enumerate() {
            assert!(
                r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.id
            );
            assert!(REPORTS[..i].iter().all(|o| o.id != r.id), "{} twice", r.id);
            assert!(r.area.readers().iter().all(|x| REPORT_READERS.contains(x)));
            assert!(
                r.area.readers().contains(&Role::Leader),
                "leaders read {}",
                r.id
            );
        }
    }
}
