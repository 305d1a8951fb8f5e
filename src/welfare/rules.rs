//! Pure rules of welfare: kinds and roles, which dues rule applies and how much it asks,
//! arrears, case limits and who approves. No HTTP, no SQL.

use crate::money::Vnd;
use chrono::NaiveDate;

macro_rules! codes {
    ($name:ident { $($var:ident = $code:literal, $key:literal;)* }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub fn code(self) -> &'static str { match self { $($name::$var => $code),* } }
            pub fn label_key(self) -> &'static str { match self { $($name::$var => $key),* } }
            pub fn parse(s: &str) -> Option<$name> {
                $( if s == $code { return Some($name::$var); } )*
                None
            }
        }
    };
}

codes!(OrgKind {
    Union = "union", "wf.kind_union";
    UnionGroup = "union_group", "wf.kind_union_group";
    RetireeBoard = "retiree_board", "wf.kind_retiree_board";
    PartyCell = "party_cell", "wf.kind_party_cell";
    PartyCommittee = "party_committee", "wf.kind_party_committee";
    YouthUnion = "youth_union", "wf.kind_youth_union";
    Women = "women", "wf.kind_women";
    Welfare = "welfare", "wf.kind_welfare";
});

codes!(MemberRole {
    Member = "member", "wf.role_member";
    GroupLeader = "group_leader", "wf.role_group_leader";
    Chair = "chair", "wf.role_chair";
    ViceChair = "vice_chair", "wf.role_vice_chair";
    Treasurer = "treasurer", "wf.role_treasurer";
    Secretary = "secretary", "wf.role_secretary";
});

codes!(Relationship {
    Child = "child", "wf.rel_child";
    Spouse = "spouse", "wf.rel_spouse";
    Parent = "parent", "wf.rel_parent";
    ParentInLaw = "parent_in_law", "wf.rel_parent_in_law";
    Sibling = "sibling", "wf.rel_sibling";
    Grandparent = "grandparent", "wf.rel_grandparent";
    Other = "other", "wf.rel_other";
});

codes!(Collect {
    Payroll = "payroll", "wf.collect_payroll";
    Cash = "cash", "wf.collect_cash";
    Transfer = "transfer", "wf.collect_transfer";
});

codes!(BenefitKind {
    Sick = "sick", "wf.bk_sick";
    Hospital = "hospital", "wf.bk_hospital";
    SeriousIllness = "serious_illness", "wf.bk_serious_illness";
    Funeral = "funeral", "wf.bk_funeral";
    Wedding = "wedding", "wf.bk_wedding";
    Birth = "birth", "wf.bk_birth";
    Hardship = "hardship", "wf.bk_hardship";
    Retirement = "retirement", "wf.bk_retirement";
    Occasion = "occasion", "wf.bk_occasion";
    Other = "other", "wf.bk_other";
});

/// A dues rule as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuesRule {
    pub id: i32,
    pub org_kind: String,
    /// "working", "retired" or "all".
    pub applies_to: String,
    pub category: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// "salary", "pension" or "fixed".
    pub basis: String,
    pub rate_bp: i32,
    pub cap_bp_of_base: Option<i32>,
    pub fixed_vnd: i64,
}

impl DuesRule {
    fn covers(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// The rule for a member on the first day of a month: of the organisation's kind, for working
/// or retired members, in force that day; one naming the member's category wins over one for
/// all categories, and of those the latest start wins.
pub fn rule_for<'a>(
    rules: &'a [DuesRule],
    org_kind: &str,
    retired: bool,
    category: &str,
    day: NaiveDate,
) -> Option<&'a DuesRule> {
    let who = if retired { "retired" } else { "working" };
    rules
        .iter()
        .filter(|r| r.org_kind == org_kind && r.covers(day))
        .filter(|r| r.applies_to == "all" || r.applies_to == who)
        .filter(|r| r.category.as_deref().is_none_or(|c| c == category))
        .max_by_key(|r| (r.category.is_some(), r.valid_from, r.id))
}

/// The last day `r` is in force, as the list shows it: its own end, or the day before a later
/// rule for the same members (kind, working/retired, category) starts, whichever comes first;
/// and whether that later rule is what ends it.
pub fn in_force_until(rules: &[DuesRule], r: &DuesRule) -> (Option<NaiveDate>, bool) {
    let next = rules
        .iter()
        .filter(|o| {
            o.org_kind == r.org_kind
                && o.applies_to == r.applies_to
                && o.category == r.category
                && o.valid_from > r.valid_from
        })
        .map(|o| o.valid_from)
        .min()
        .and_then(|d| d.pred_opt());
    match (r.valid_to, next) {
        (Some(to), Some(n)) if n < to => (Some(n), true),
        (None, Some(n)) => (Some(n), true),
        (to, _) => (to, false),
    }
}

/// Why a month's dues could not be worked out for a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuesProblem {
    NoRule,
    NoSalaryBasis,
    NoPension,
    NoBaseSalary,
}

impl DuesProblem {
    pub fn key(self) -> &'static str {
        match self {
            DuesProblem::NoRule => "wf.dues_no_rule",
            DuesProblem::NoSalaryBasis => "wf.dues_no_salary",
            DuesProblem::NoPension => "wf.dues_no_pension",
            DuesProblem::NoBaseSalary => "wf.dues_no_base",
        }
    }
}

/// A month's dues under a rule: (amount, the basis it was worked on). A rate is taken of the
/// basis and rounded half up to the đồng; a cap is a share of the national base salary.
pub fn dues_amount(
    rule: &DuesRule,
    salary: Option<Vnd>,
    pension: Option<Vnd>,
    base: Option<Vnd>,
) -> Result<(Vnd, Vnd), DuesProblem> {
    let basis = match rule.basis.as_str() {
        "fixed" => return Ok((Vnd(rule.fixed_vnd), Vnd(0))),
        "pension" => pension.ok_or(DuesProblem::NoPension)?,
        _ => salary.ok_or(DuesProblem::NoSalaryBasis)?,
    };
    let mut amount = basis.percent_bp(i64::from(rule.rate_bp)).unwrap_or(Vnd(0));
    if let Some(cap_bp) = rule.cap_bp_of_base {
        let cap = base
            .ok_or(DuesProblem::NoBaseSalary)?
            .percent_bp(i64::from(cap_bp))
            .unwrap_or(Vnd(0));
        amount = amount.min(cap);
    }
    Ok((amount, basis))
}

/// Whether a period covers a day (an open end covers every later day).
pub fn within(from: NaiveDate, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && to.is_none_or(|t| day <= t)
}

/// The months "yyyy-mm" from `from` to `to` inclusive.
pub fn months_between(from: &str, to: &str) -> Vec<String> {
    let parse = |s: &str| crate::ui::format::parse_month(s);
    let (Some(mut m), Some(end)) = (parse(from), parse(to)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while m <= end && out.len() < 1200 {
        out.push(m.format("%Y-%m").to_string());
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(end + chrono::Duration::days(1));
    }
    out
}

/// How many months in a row, up to the latest, are unpaid (`paid` oldest first).
pub fn consecutive_unpaid(paid: &[bool]) -> usize {
    paid.iter().rev().take_while(|p| !**p).count()
}

/// A benefit type's limits per person and year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max: Vnd,
    pub per_year_count: Option<i32>,
    pub per_year_total: Option<Vnd>,
}

/// Checks a new case against the limits, given the amounts of the person's other cases of the
/// same type in the year (not rejected). Err: the i18n key of the limit it breaks.
pub fn check_limits(l: &Limits, earlier: &[Vnd], amount: Vnd) -> Result<(), &'static str> {
    if amount.0 <= 0 || amount > l.max {
        return Err("wf.err_amount_max");
    }
    if let Some(n) = l.per_year_count {
        if earlier.len() >= n as usize {
            return Err("wf.err_year_count");
        }
    }
    if let Some(t) = l.per_year_total {
        let so_far: i64 = earlier.iter().map(|v| v.0).sum();
        if so_far.saturating_add(amount.0) > t.0 {
            return Err("wf.err_year_total");
        }
    }
    Ok(())
}

/// Who may approve a case: above the threshold an approver; otherwise a union officer (or an
/// approver), never the person who reported it.
pub fn may_approve(
    amount: Vnd,
    threshold: Vnd,
    is_approver: bool,
    is_union_officer: bool,
    is_reporter: bool,
) -> Result<(), &'static str> {
    if is_reporter {
        return Err("wf.err_own_case");
    }
    if amount > threshold {
        return if is_approver {
            Ok(())
        } else {
            Err("wf.err_needs_approver")
        };
    }
    if is_approver || is_union_officer {
        Ok(())
    } else {
        Err("err.forbidden")
    }
}

/// The key that identifies a deceased person for the one-funeral rule: the member themself,
/// or the dependant as the family knows them (a child of two staff parents is one person).
pub fn deceased_key(person: i32, dependant: Option<(i32, Option<i32>)>) -> String {
    match dependant {
        Some((id, same_as)) => format!("dependant:{}", same_as.unwrap_or(id)),
        None => format!("person:{person}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn union_rule(id: i32, from: NaiveDate, to: Option<NaiveDate>, bp: i32) -> DuesRule {
        DuesRule {
            id,
            org_kind: "union".into(),
            applies_to: "working".into(),
            category: None,
            valid_from: from,
            valid_to: to,
            basis: "salary".into(),
            rate_bp: bp,
            cap_bp_of_base: Some(1000),
            fixed_vnd: 0,
        }
    }

    #[test]
    fn union_dues_went_from_one_to_half_a_percent_in_july_2025_capped_at_ten_percent_of_base() {
        let rules = vec![
            union_rule(1, d(2020, 1, 1), Some(d(2025, 6, 30)), 100),
            union_rule(2, d(2025, 7, 1), None, 50),
        ];
        let june = rule_for(&rules, "union", false, "cong_chuc", d(2025, 6, 1)).expect("june");
        let july = rule_for(&rules, "union", false, "cong_chuc", d(2025, 7, 1)).expect("july");
        assert_eq!((june.id, july.id), (1, 2));
        let base = Some(Vnd(2_340_000));
        // 4,40 × 2.340.000 = 10.296.000: 1 % = 102.960; 0,5 % = 51.480.
        let salary = Some(Vnd(10_296_000));
        assert_eq!(
            dues_amount(june, salary, None, base),
            Ok((Vnd(102_960), Vnd(10_296_000)))
        );
        assert_eq!(
            dues_amount(july, salary, None, base),
            Ok((Vnd(51_480), Vnd(10_296_000)))
        );
        // A high salary meets the cap: 10 % of 2.340.000 = 234.000.
        let high = Some(Vnd(30_000_000));
        assert_eq!(
            dues_amount(june, high, None, base).map(|x| x.0),
            Ok(Vnd(234_000))
        );
        assert_eq!(
            dues_amount(june, None, None, base),
            Err(DuesProblem::NoSalaryBasis)
        );
        assert_eq!(
            rule_for(&rules, "party_cell", false, "cong_chuc", d(2025, 7, 1)),
            None
        );
        assert_eq!(
            rule_for(&rules, "union", true, "cong_chuc", d(2025, 7, 1)),
            None
        );
    }

    #[test]
    fn a_rule_for_the_members_category_wins_and_pension_and_fixed_rules_apply() {
        let mut cat = union_rule(3, d(2025, 1, 1), None, 0);
        cat.category = Some("hop_dong".into());
        cat.basis = "fixed".into();
        cat.fixed_vnd = 20_000;
        let rules = vec![union_rule(2, d(2025, 7, 1), None, 50), cat];
        let r = rule_for(&rules, "union", false, "hop_dong", d(2025, 8, 1)).expect("rule");
        assert_eq!(r.id, 3);
        assert_eq!(dues_amount(r, None, None, None), Ok((Vnd(20_000), Vnd(0))));
        let retired = DuesRule {
            applies_to: "retired".into(),
            org_kind: "party_cell".into(),
            basis: "pension".into(),
            rate_bp: 50,
            cap_bp_of_base: None,
            ..union_rule(4, d(2020, 1, 1), None, 0)
        };
        assert_eq!(
            dues_amount(&retired, None, Some(Vnd(6_000_001)), None),
            Ok((Vnd(30_000), Vnd(6_000_001)))
        );
        assert_eq!(
            dues_amount(&retired, None, None, None),
            Err(DuesProblem::NoPension)
        );
    }

    #[test]
    fn arrears_count_the_unpaid_months_in_a_row_up_to_the_latest() {
        assert_eq!(consecutive_unpaid(&[true, false, false, false]), 3);
        assert_eq!(consecutive_unpaid(&[false, true, false]), 1);
        assert_eq!(consecutive_unpaid(&[true]), 0);
        assert_eq!(consecutive_unpaid(&[]), 0);
        assert_eq!(
            months_between("2025-11", "2026-02"),
            vec!["2025-11", "2025-12", "2026-01", "2026-02"]
        );
    }

    #[test]
    fn limits_per_person_and_year_are_enforced() {
        let l = Limits {
            max: Vnd(1_000_000),
            per_year_count: Some(2),
            per_year_total: Some(Vnd(1_500_000)),
        };
        assert_eq!(check_limits(&l, &[], Vnd(1_000_000)), Ok(()));
        assert_eq!(
            check_limits(&l, &[], Vnd(1_000_001)),
            Err("wf.err_amount_max")
        );
        assert_eq!(
            check_limits(&l, &[Vnd(1_000_000)], Vnd(600_000)),
            Err("wf.err_year_total")
        );
        assert_eq!(
            check_limits(&l, &[Vnd(500_000), Vnd(500_000)], Vnd(100)),
            Err("wf.err_year_count")
        );
    }

    #[test]
    fn nobody_approves_their_own_case_and_large_ones_need_an_approver() {
        let t = Vnd(2_000_000);
        assert_eq!(may_approve(Vnd(500_000), t, false, true, false), Ok(()));
        assert_eq!(
            may_approve(Vnd(500_000), t, false, true, true),
            Err("wf.err_own_case")
        );
        assert_eq!(
            may_approve(Vnd(3_000_000), t, false, true, false),
            Err("wf.err_needs_approver")
        );
        assert_eq!(may_approve(Vnd(3_000_000), t, true, false, false), Ok(()));
    }

    #[test]
    fn a_child_of_two_staff_parents_is_one_deceased() {
        assert_eq!(deceased_key(7, Some((12, None))), "dependant:12");
        assert_eq!(deceased_key(8, Some((15, Some(12)))), "dependant:12");
        assert_eq!(deceased_key(7, None), "person:7");
    }
}
