//! The price split: for each staff meal of a month, how much each fund pays and how much the
//! person pays. One pure, deterministic function ([`split`]); no SQL, no clock.
//!
//! Rules, in the order they apply:
//! - Only staff meals are split: guests and walk-ins are never passed in, so never subsidised.
//! - A meal that is neither served nor a no-show (still ordered: the month is not over) is split
//!   as if served (a provisional statement).
//! - A no-show follows the no-show rule in force on its day: `ChargeFull` (the person pays the
//!   whole price, no subsidy), `ChargeStaffShare` (split as if served) or `ChargeNothing`
//!   (nothing is charged to anyone: its charged price is 0; the supplier's bill for it shows up
//!   in the reconciliation, not silently in a subsidy).
//! - Policies apply in their order — general ones for everyone first, then those for a category
//!   or band, then "the person pays at most X"; by id within each — each to what is
//!   left for the person to pay, so stacked subsidies never exceed the price: a fixed amount per
//!   meal, a percentage of the price, or "the person pays at most X". A policy applies to a meal
//!   when its dates cover the day, the person is one it covers that day (everyone working, a
//!   category, or holders of an eligibility band valid that day) and the person has not yet had
//!   the policy's monthly cap of subsidised meals from it (counted in date order).
//! - Invariants (property-tested): charged price = Σ subsidies + staff share; nothing negative;
//!   no subsidy above the price; no cap exceeded.

use crate::money::Vnd;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MealState {
    Ordered,
    Served,
    NoShow,
}

impl MealState {
    /// From a meal's stored status (`served`, `no_show`; anything else is still ordered).
    pub fn of_status(status: &str) -> MealState {
        match status {
            "served" => MealState::Served,
            "no_show" => MealState::NoShow,
            _ => MealState::Ordered,
        }
    }
}

/// A staff meal as the split needs it.
#[derive(Clone, Debug)]
pub struct Meal {
    pub id: i32,
    pub person: i32,
    pub day: NaiveDate,
    /// The price the meal was ordered at.
    pub price: Vnd,
    pub state: MealState,
}

/// Who a policy covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Covers {
    /// Every working person with a meal.
    Everyone,
    /// People of one category (`people::rules::Category` code).
    Category(String),
    /// Holders of an eligibility band (e.g. `low_income`) valid on the day.
    Band(String),
}

/// How much a policy pays per meal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    Fixed(Vnd),
    /// Basis points of the price (2 500 = 25 %).
    Percent(i64),
    /// The person pays at most this much; the policy pays the rest.
    StaffPaysAtMost(Vnd),
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub id: i32,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub covers: Covers,
    pub amount: Amount,
    /// At most this many subsidised meals per person per month from this policy.
    pub monthly_cap: Option<u32>,
    pub fund: i32,
}

impl Policy {
    /// Where the policy stands in the order they apply, whenever it was made: general support
    /// for everyone first (0), then support for a category or band (1), and "the person pays
    /// at most X" last (2), so that it caps what is left after every other subsidy.
    fn rank(&self) -> u8 {
        match (&self.amount, &self.covers) {
            (Amount::StaffPaysAtMost(_), _) => 2,
            (_, Covers::Everyone) => 0,
            _ => 1,
        }
    }

    fn in_force(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// A band held by a person over a range of days.
#[derive(Clone, Debug)]
pub struct Eligibility {
    pub person: i32,
    pub band: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoShowCharge {
    ChargeFull,
    ChargeStaffShare,
    ChargeNothing,
}

impl NoShowCharge {
    pub fn code(self) -> &'static str {
        match self {
            NoShowCharge::ChargeFull => "full",
            NoShowCharge::ChargeStaffShare => "staff_share",
            NoShowCharge::ChargeNothing => "nothing",
        }
    }
    pub fn parse(s: &str) -> Option<NoShowCharge> {
        match s {
            "full" => Some(NoShowCharge::ChargeFull),
            "staff_share" => Some(NoShowCharge::ChargeStaffShare),
            "nothing" => Some(NoShowCharge::ChargeNothing),
            _ => None,
        }
    }
}

/// The no-show rule from a day on (the latest one starting on or before a meal's day applies;
/// before the first, the person pays the full price).
#[derive(Clone, Debug)]
pub struct NoShowRule {
    pub from: NaiveDate,
    pub charge: NoShowCharge,
}

/// Everything the split reads besides the meals.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub policies: Vec<Policy>,
    pub eligibility: Vec<Eligibility>,
    /// Person → category code.
    pub categories: HashMap<i32, String>,
    pub no_show_rules: Vec<NoShowRule>,
}

/// One meal split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub meal: i32,
    pub person: i32,
    pub day: NaiveDate,
    /// What the meal is charged at (its price; 0 for a no-show charged nothing).
    pub charged: Vnd,
    /// (policy, fund, amount), amounts > 0 only.
    pub subsidies: Vec<(i32, i32, Vnd)>,
    pub staff_share: Vnd,
}

impl Split {
    pub fn subsidy(&self) -> Vnd {
        Vnd(self.subsidies.iter().map(|s| s.2 .0).sum())
    }
}

/// A person's eligibility decisions, looked up per meal.
type BandsOf<'a> = HashMap<i32, Vec<&'a Eligibility>>;

fn covered(inputs: &Inputs, bands: &BandsOf, p: &Policy, person: i32, day: NaiveDate) -> bool {
    match &p.covers {
        Covers::Everyone => true,
        Covers::Category(c) => inputs.categories.get(&person) == Some(c),
        Covers::Band(b) => bands.get(&person).is_some_and(|held| {
            held.iter()
                .any(|e| &e.band == b && e.from <= day && e.to.is_none_or(|t| day <= t))
        }),
    }
}

fn no_show_charge(rules: &[NoShowRule], day: NaiveDate) -> NoShowCharge {
    rules
        .iter()
        .filter(|r| r.from <= day)
        .max_by_key(|r| r.from)
        .map(|r| r.charge)
        .unwrap_or(NoShowCharge::ChargeFull)
}

/// What a policy pays on a meal, given what is still left for the person to pay.
fn pays(amount: Amount, price: Vnd, left: Vnd) -> Vnd {
    let raw = match amount {
        Amount::Fixed(a) => a,
        Amount::Percent(bp) => price.percent_bp(bp.clamp(0, 10_000)).unwrap_or(Vnd(0)),
        Amount::StaffPaysAtMost(x) => Vnd(left.0 - x.0.max(0)),
    };
    Vnd(raw.0.clamp(0, left.0.max(0)))
}

/// Splits the meals (any order in, date order out). Caps count per person, policy and month.
pub fn split(meals: &[Meal], inputs: &Inputs) -> Vec<Split> {
    let mut meals: Vec<&Meal> = meals.iter().collect();
    meals.sort_by_key(|m| (m.day, m.person, m.id));
    let mut policies: Vec<&Policy> = inputs.policies.iter().collect();
    policies.sort_by_key(|p| (p.rank(), p.id));
    let mut bands: BandsOf = HashMap::new();
    for e in &inputs.eligibility {
        bands.entry(e.person).or_default().push(e);
    }
    // (person, policy, year, month) → subsidised meals so far.
    let mut used: HashMap<(i32, i32, i32, u32), u32> = HashMap::new();
    let mut out = Vec::with_capacity(meals.len());
    for m in meals {
        let price = Vnd(m.price.0.max(0));
        let charge = match m.state {
            MealState::NoShow => no_show_charge(&inputs.no_show_rules, m.day),
            _ => NoShowCharge::ChargeStaffShare,
        };
        let charged = if charge == NoShowCharge::ChargeNothing {
            Vnd(0)
        } else {
            price
        };
        let mut subsidies = Vec::new();
        let mut left = charged;
        if charge == NoShowCharge::ChargeStaffShare {
            for p in &policies {
                if left.0 == 0 {
                    break;
                }
                if !p.in_force(m.day) || !covered(inputs, &bands, p, m.person, m.day) {
                    continue;
                }
                let key = (m.person, p.id, m.day.year(), m.day.month());
                let n = used.get(&key).copied().unwrap_or(0);
                if p.monthly_cap.is_some_and(|cap| n >= cap) {
                    continue;
                }
                let a = pays(p.amount, charged, left);
                if a.0 > 0 {
                    subsidies.push((p.id, p.fund, a));
                    left = Vnd(left.0 - a.0);
                    used.insert(key, n + 1);
                }
            }
        }
        out.push(Split {
            meal: m.id,
            person: m.person,
            day: m.day,
            charged,
            subsidies,
            staff_share: left,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, day).expect("date")
    }

    fn meal(id: i32, person: i32, day: u32, price: i64, state: MealState) -> Meal {
        Meal {
            id,
            person,
            day: d(day),
            price: Vnd(price),
            state,
        }
    }

    const GENERAL: i32 = 1;
    const TOP_UP: i32 = 2;
    const FUND_MEALS: i32 = 10;
    const FUND_WELFARE: i32 = 20;

    /// A general 10.000 ₫ per meal for everyone, and for low-income staff a top-up so that they
    /// pay at most 15.000 ₫, at most 3 top-ups a month.
    fn inputs() -> Inputs {
        Inputs {
            policies: vec![
                Policy {
                    id: GENERAL,
                    from: d(1),
                    to: None,
                    covers: Covers::Everyone,
                    amount: Amount::Fixed(Vnd(10_000)),
                    monthly_cap: None,
                    fund: FUND_MEALS,
                },
                Policy {
                    id: TOP_UP,
                    from: d(1),
                    to: None,
                    covers: Covers::Band("low_income".into()),
                    amount: Amount::StaffPaysAtMost(Vnd(15_000)),
                    monthly_cap: Some(3),
                    fund: FUND_WELFARE,
                },
            ],
            eligibility: vec![Eligibility {
                person: 2,
                band: "low_income".into(),
                from: d(6),
                to: None,
            }],
            categories: HashMap::new(),
            no_show_rules: vec![NoShowRule {
                from: d(1),
                charge: NoShowCharge::ChargeFull,
            }],
        }
    }

    /// (meal, subsidy general, subsidy top-up, staff share).
    fn table(splits: &[Split]) -> Vec<(i32, i64, i64, i64)> {
        splits
            .iter()
            .map(|s| {
                let of = |p: i32| {
                    s.subsidies
                        .iter()
                        .filter(|x| x.0 == p)
                        .map(|x| x.2 .0)
                        .sum::<i64>()
                };
                (s.meal, of(GENERAL), of(TOP_UP), s.staff_share.0)
            })
            .collect()
    }

    /// A general policy made after a low-income top-up still applies before it: the top-up
    /// tops up what is left, so the person pays its 15.000 ₫ (not less, at the fund's cost).
    #[test]
    fn a_general_policy_made_after_a_top_up_applies_before_it() {
        let mut i = inputs();
        i.policies = vec![
            Policy {
                id: 1,
                from: d(1),
                to: None,
                covers: Covers::Band("low_income".into()),
                amount: Amount::StaffPaysAtMost(Vnd(15_000)),
                monthly_cap: None,
                fund: FUND_WELFARE,
            },
            Policy {
                id: 2,
                from: d(1),
                to: None,
                covers: Covers::Everyone,
                amount: Amount::Percent(1_250),
                monthly_cap: None,
                fund: FUND_MEALS,
            },
            Policy {
                id: 3,
                from: d(1),
                to: None,
                covers: Covers::Band("low_income".into()),
                amount: Amount::Fixed(Vnd(1_000)),
                monthly_cap: None,
                fund: FUND_MEALS,
            },
        ];
        let out = split(&[meal(1, 2, 7, 35_000, MealState::Served)], &i);
        assert_eq!(
            out[0].subsidies,
            vec![
                (2, FUND_MEALS, Vnd(4_375)),
                (3, FUND_MEALS, Vnd(1_000)),
                (1, FUND_WELFARE, Vnd(14_625)),
            ]
        );
        assert_eq!(out[0].staff_share, Vnd(15_000));
    }

    #[test]
    fn a_known_month_splits_as_computed_by_hand() {
        use MealState::*;
        let meals = vec![
            meal(1, 1, 1, 35_000, Served),
            meal(2, 2, 1, 35_000, Served), // not yet eligible (from 06/10)
            meal(3, 2, 6, 35_000, Served), // top-up 1
            meal(4, 2, 7, 35_000, NoShow), // no-show: full price, no subsidy
            meal(5, 2, 8, 30_000, Served), // top-up 2 (vegetarian price)
            meal(6, 2, 9, 35_000, Served), // top-up 3
            meal(7, 2, 12, 35_000, Served), // cap reached: general only
            meal(8, 1, 12, 35_000, Ordered),
        ];
        let got = table(&split(&meals, &inputs()));
        assert_eq!(
            got,
            vec![
                (1, 10_000, 0, 25_000),
                (2, 10_000, 0, 25_000),
                (3, 10_000, 10_000, 15_000),
                (4, 0, 0, 35_000),
                (5, 10_000, 5_000, 15_000),
                (6, 10_000, 10_000, 15_000),
                // 12/10: by person, then meal.
                (8, 10_000, 0, 25_000),
                (7, 10_000, 0, 25_000),
            ]
        );
    }

    #[test]
    fn a_policy_changed_mid_month_applies_from_its_date() {
        let mut i = inputs();
        i.policies[0].to = Some(d(14));
        i.policies.push(Policy {
            id: 3,
            from: d(15),
            to: None,
            covers: Covers::Everyone,
            amount: Amount::Percent(5_000),
            monthly_cap: None,
            fund: FUND_MEALS,
        });
        let meals = vec![
            meal(1, 1, 14, 35_000, MealState::Served),
            meal(2, 1, 15, 35_000, MealState::Served),
        ];
        let s = split(&meals, &i);
        assert_eq!(s[0].subsidies, vec![(GENERAL, FUND_MEALS, Vnd(10_000))]);
        assert_eq!(s[1].subsidies, vec![(3, FUND_MEALS, Vnd(17_500))]);
        assert_eq!(s[1].staff_share, Vnd(17_500));
    }

    #[test]
    fn each_no_show_rule_charges_as_it_says() {
        let meals = vec![meal(1, 2, 7, 35_000, MealState::NoShow)];
        let mut i = inputs();
        let charge = |i: &Inputs| {
            let s = &split(&meals, i)[0];
            (s.charged.0, s.subsidy().0, s.staff_share.0)
        };
        assert_eq!(charge(&i), (35_000, 0, 35_000), "full price");
        i.no_show_rules.push(NoShowRule {
            from: d(7),
            charge: NoShowCharge::ChargeStaffShare,
        });
        assert_eq!(charge(&i), (35_000, 20_000, 15_000), "as if served");
        i.no_show_rules.push(NoShowRule {
            from: d(7),
            charge: NoShowCharge::ChargeNothing,
        });
        i.no_show_rules.remove(1);
        assert_eq!(charge(&i), (0, 0, 0), "nothing charged");
    }

    #[test]
    fn a_category_policy_covers_only_that_category() {
        let mut i = inputs();
        i.policies = vec![Policy {
            id: 5,
            from: d(1),
            to: None,
            covers: Covers::Category("contractor".into()),
            amount: Amount::Fixed(Vnd(50_000)),
            monthly_cap: None,
            fund: FUND_MEALS,
        }];
        i.categories.insert(1, "contractor".into());
        let meals = vec![
            meal(1, 1, 5, 35_000, MealState::Served),
            meal(2, 2, 5, 35_000, MealState::Served),
        ];
        let s = split(&meals, &i);
        assert_eq!(
            (s[0].subsidy(), s[0].staff_share),
            (Vnd(35_000), Vnd(0)),
            "never above the price"
        );
        assert_eq!(s[1].subsidy(), Vnd(0));
    }

    fn arb_amount() -> impl Strategy<Value = Amount> {
        prop_oneof![
            (0i64..60_000).prop_map(|a| Amount::Fixed(Vnd(a))),
            (0i64..=10_000).prop_map(Amount::Percent),
            (0i64..40_000).prop_map(|a| Amount::StaffPaysAtMost(Vnd(a))),
        ]
    }

    fn arb_policy() -> impl Strategy<Value = Policy> {
        (
            1i32..6,
            1u32..29,
            proptest::option::of(1u32..29),
            0usize..3,
            arb_amount(),
            proptest::option::of(0u32..6),
        )
            .prop_map(|(id, from, to, who, amount, cap)| Policy {
                id,
                from: d(from),
                to: to.map(d),
                covers: match who {
                    0 => Covers::Everyone,
                    1 => Covers::Category("a".into()),
                    _ => Covers::Band("low_income".into()),
                },
                amount,
                monthly_cap: cap,
                fund: id * 10,
            })
    }

    proptest! {
        #[test]
        fn every_month_adds_up_and_keeps_its_caps(
            raw in proptest::collection::vec((1i32..8, 1u32..29, 0i64..80_000, 0u8..3), 0..60),
            policies in proptest::collection::vec(arb_policy(), 0..4),
            eligible in proptest::collection::vec((1i32..8, 1u32..29), 0..5),
            rule in 0u8..3,
        ) {
            let meals: Vec<Meal> = raw.iter().enumerate().map(|(i, (p, day, price, st))| Meal {
                id: i as i32,
                person: *p,
                day: d(*day),
                price: Vnd(*price),
                state: match st { 0 => MealState::Served, 1 => MealState::NoShow, _ => MealState::Ordered },
            }).collect();
            let mut categories = HashMap::new();
            for p in 1..8 { if p % 2 == 0 { categories.insert(p, "a".to_string()); } }
            let inputs = Inputs {
                policies: policies.clone(),
                eligibility: eligible.iter().map(|(p, from)| Eligibility {
                    person: *p, band: "low_income".into(), from: d(*from), to: None,
                }).collect(),
                categories,
                no_show_rules: vec![NoShowRule { from: d(1), charge: match rule {
                    0 => NoShowCharge::ChargeFull, 1 => NoShowCharge::ChargeStaffShare, _ => NoShowCharge::ChargeNothing,
                } }],
            };
            let out = split(&meals, &inputs);
            prop_assert_eq!(out.len(), meals.len());
            let mut per_policy: HashMap<(i32, i32), u32> = HashMap::new();
            for s in &out {
                let m = meals.iter().find(|m| m.id == s.meal).expect("meal");
                prop_assert!(s.charged.0 == m.price.0 || s.charged.0 == 0);
                prop_assert_eq!(s.charged.0, s.subsidy().0 + s.staff_share.0);
                prop_assert!(s.staff_share.0 >= 0);
                prop_assert!(s.subsidies.iter().all(|x| x.2 .0 > 0));
                prop_assert!(s.subsidy().0 <= s.charged.0);
                for (policy, _, _) in &s.subsidies {
                    *per_policy.entry((s.person, *policy)).or_default() += 1;
                }
            }
            for ((_, policy), n) in per_policy {
                // Every id is one policy here unless generated twice; a cap holds for each.
                let caps: Vec<Option<u32>> = policies.iter().filter(|p| p.id == policy).map(|p| p.monthly_cap).collect();
                if caps.len() == 1 {
                    if let Some(cap) = caps[0] { prop_assert!(n <= cap); }
                }
            }
            // Deterministic: the same input gives the same output, whatever the order.
            let mut reversed = meals.clone();
            reversed.reverse();
            prop_assert_eq!(split(&reversed, &inputs), out);
        }
    }
}
