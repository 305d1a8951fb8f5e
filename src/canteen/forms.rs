//! The week form has one radio group and one guest field per open day, so its field names
//! carry the date (`meal_2026-12-01`, `guests_2026-12-01`). Parsed strictly: any other field
//! is refused, like `deny_unknown_fields`.

use crate::canteen::ordering::Wish;
use crate::canteen::rules::parse_guests;
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, PartialEq, Eq)]
pub enum WeekFormError {
    /// The form itself is malformed (unknown field, bad date, bad option): i18n key.
    Malformed(&'static str),
    /// A day's guest count is out of range.
    Guests(NaiveDate),
}

pub fn parse_week(pairs: &[(String, String)]) -> Result<Vec<Wish>, WeekFormError> {
    let mut meals: BTreeMap<NaiveDate, Option<i32>> = BTreeMap::new();
    let mut guests: BTreeMap<NaiveDate, i32> = BTreeMap::new();
    for (k, v) in pairs {
        let (kind, date) = k
            .split_once('_')
            .ok_or(WeekFormError::Malformed("err.bad_form"))?;
        let day = crate::ui::format::iso_date(date)
            .ok_or(WeekFormError::Malformed("order.err_bad_date"))?;
        match kind {
            "meal" => {
                let choice = match v.as_str() {
                    "none" => None,
                    id => Some(
                        id.parse::<i32>()
                            .map_err(|_| WeekFormError::Malformed("order.err_unknown_option"))?,
                    ),
                };
                if meals.insert(day, choice).is_some() {
                    return Err(WeekFormError::Malformed("err.bad_form"));
                }
            }
            "guests" => {
                let n = parse_guests(v).map_err(|_| WeekFormError::Guests(day))?;
                if guests.insert(day, n).is_some() {
                    return Err(WeekFormError::Malformed("err.bad_form"));
                }
            }
            _ => return Err(WeekFormError::Malformed("err.bad_form")),
        }
    }
    if guests.keys().any(|d| !meals.contains_key(d)) {
        return Err(WeekFormError::Malformed("err.bad_form"));
    }
    Ok(meals
        .into_iter()
        .map(|(day, option_id)| Wish {
            day,
            option_id,
            guests: guests.get(&day).copied().unwrap_or(0),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn a_week_form_becomes_one_wish_per_day() {
        let w = parse_week(&[
            p("meal_2026-12-01", "7"),
            p("guests_2026-12-01", "2"),
            p("meal_2026-12-02", "none"),
            p("guests_2026-12-02", ""),
        ])
        .expect("ok");
        assert_eq!(w.len(), 2);
        assert_eq!(
            w[0],
            Wish {
                day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                option_id: Some(7),
                guests: 2
            }
        );
        assert_eq!(w[1].option_id, None);
    }

    #[test]
    fn malformed_week_forms_are_refused() {
        assert_eq!(
            parse_week(&[p("meal_2026-02-30", "1")]),
            Err(WeekFormError::Malformed("order.err_bad_date"))
        );
        assert_eq!(
            parse_week(&[p("meal_2026-12-01", "abc")]),
            Err(WeekFormError::Malformed("order.err_unknown_option"))
        );
        assert_eq!(
            parse_week(&[p("price_2026-12-01", "0")]),
            Err(WeekFormError::Malformed("err.bad_form"))
        );
        assert_eq!(
            parse_week(&[p("admin", "1")]),
            Err(WeekFormError::Malformed("err.bad_form"))
        );
        assert_eq!(
            parse_week(&[p("meal_2026-12-01", "1"), p("meal_2026-12-01", "2")]),
            Err(WeekFormError::Malformed("err.bad_form"))
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            parse_week(&[p("meal_2026-12-01", "1"), p("guests_2026-12-01", "21")]),
            Err(WeekFormError::Guests(d))
        );
    }
}
