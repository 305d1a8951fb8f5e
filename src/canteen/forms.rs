//! The week form has, per open day, one radio group, one guest field, the hidden record of what
//! the page showed, and (when asked) a confirmation, so its field names carry the date
//! (`meal_2026-12-01`, `guests_2026-12-01`, `shown_2026-12-01`, `confirm_2026-12-01`), and the
//! mark of the day's options as shown (`menu_2026-12-01`, see `menu::store::day_hash`). Parsed
//! strictly: any other field is refused, like `deny_unknown_fields`.

use crate::canteen::ordering::{Shown, Wish};
use crate::canteen::rules::parse_guests;
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, PartialEq, Eq)]
pub enum WeekFormError {
    /// The form itself is malformed (unknown field, bad date, bad option): i18n key.
    Malformed(&'static str),
}

/// A parsed week form: one wish per day, and the days whose guest count was not a number in
/// range, with the text as typed (so the page can show it again beside its message).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WeekForm {
    pub wishes: Vec<Wish>,
    pub bad_guests: Vec<(NaiveDate, String)>,
}

pub fn parse_week(pairs: &[(String, String)]) -> Result<WeekForm, WeekFormError> {
    let bad = WeekFormError::Malformed("err.bad_form");
    let mut meals: BTreeMap<NaiveDate, Option<i32>> = BTreeMap::new();
    let mut guests: BTreeMap<NaiveDate, i32> = BTreeMap::new();
    let mut shown: BTreeMap<NaiveDate, Shown> = BTreeMap::new();
    let mut gopts: BTreeMap<NaiveDate, i32> = BTreeMap::new();
    let mut marks: BTreeMap<NaiveDate, String> = BTreeMap::new();
    let mut confirmed: Vec<NaiveDate> = Vec::new();
    let mut bad_guests = Vec::new();
    for (k, v) in pairs {
        let (kind, date) = k
            .split_once('_')
            .ok_or(WeekFormError::Malformed("err.bad_form"))?;
        let day = crate::ui::format::iso_date(date)
            .ok_or(WeekFormError::Malformed("order.err_bad_date"))?;
        let fresh = match kind {
            "meal" => meals.insert(day, option_choice(v)?).is_none(),
            "guests" => match parse_guests(v) {
                Ok(n) => guests.insert(day, n).is_none(),
                Err(_) => {
                    bad_guests.push((day, v.chars().take(20).collect()));
                    guests.insert(day, 0).is_none()
                }
            },
            "shown" => {
                let mut parts = v.split(':');
                let (Some(o), Some(g), go, None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad);
                };
                let g = parse_guests(g).map_err(|_| WeekFormError::Malformed("err.bad_form"))?;
                let guest_option = match go {
                    None | Some("") => None,
                    Some(id) => Some(
                        id.parse::<i32>()
                            .map_err(|_| WeekFormError::Malformed("err.bad_form"))?,
                    ),
                };
                shown
                    .insert(
                        day,
                        Shown {
                            option_id: option_choice(o)?,
                            guests: g,
                            guest_option,
                        },
                    )
                    .is_none()
            }
            "gopt" => {
                let id = v
                    .parse::<i32>()
                    .map_err(|_| WeekFormError::Malformed("order.err_unknown_option"))?;
                gopts.insert(day, id).is_none()
            }
            "menu" => {
                if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad);
                }
                marks.insert(day, v.clone()).is_none()
            }
            "confirm" if v == "yes" => {
                let fresh = !confirmed.contains(&day);
                confirmed.push(day);
                fresh
            }
            _ => return Err(bad),
        };
        if !fresh {
            return Err(bad);
        }
    }
    if guests
        .keys()
        .chain(shown.keys())
        .chain(gopts.keys())
        .chain(marks.keys())
        .chain(confirmed.iter())
        .any(|d| !meals.contains_key(d))
    {
        return Err(bad);
    }
    Ok(WeekForm {
        wishes: meals
            .into_iter()
            .map(|(day, option_id)| Wish {
                day,
                option_id,
                guests: guests.get(&day).copied().unwrap_or(0),
                shown: shown.get(&day).copied(),
                guest_option: gopts.get(&day).copied(),
                confirmed: confirmed.contains(&day),
                menu_mark: marks.remove(&day),
            })
            .collect(),
        bad_guests,
    })
}

/// `none` or an option id.
fn option_choice(v: &str) -> Result<Option<i32>, WeekFormError> {
    match v {
        "none" => Ok(None),
        id => id
            .parse::<i32>()
            .map(Some)
            .map_err(|_| WeekFormError::Malformed("order.err_unknown_option")),
    }
}

/// The value of a day's hidden `shown_` field: what the page showed (option or `none`, guests,
/// and the guests' option when the page offered a choice).
pub fn shown_value(option_id: Option<i32>, guests: i32, guest_option: Option<i32>) -> String {
    let o = option_id.map_or("none".to_string(), |id| id.to_string());
    match guest_option {
        Some(g) => format!("{o}:{guests}:{g}"),
        None => format!("{o}:{guests}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    fn dec(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("valid date")
    }

    #[test]
    fn a_week_form_becomes_one_wish_per_day_with_what_the_page_showed() {
        let w = parse_week(&[
            p("meal_2026-12-01", "7"),
            p("guests_2026-12-01", "2"),
            p("shown_2026-12-01", "none:0"),
            p("meal_2026-12-02", "none"),
            p("guests_2026-12-02", ""),
            p("confirm_2026-12-02", "yes"),
        ])
        .expect("ok");
        assert_eq!(w.wishes.len(), 2);
        assert_eq!(
            w.wishes[0],
            Wish {
                day: dec(1),
                option_id: Some(7),
                guests: 2,
                shown: Some(Shown {
                    option_id: None,
                    guests: 0,
                    guest_option: None,
                }),
                guest_option: None,
                confirmed: false,
                menu_mark: None,
            }
        );
        assert_eq!(w.wishes[1].option_id, None);
        assert_eq!(w.wishes[1].shown, None);
        assert!(w.wishes[1].confirmed);
        assert!(w.bad_guests.is_empty());
        let shown = shown_value(Some(7), 3, None);
        let back =
            parse_week(&[p("meal_2026-12-01", "7"), p("shown_2026-12-01", &shown)]).expect("ok");
        assert_eq!(
            back.wishes[0].shown,
            Some(Shown {
                option_id: Some(7),
                guests: 3,
                guest_option: None,
            })
        );
    }

    #[test]
    fn a_bad_guest_count_is_kept_as_typed_and_the_other_days_still_parse() {
        let w = parse_week(&[
            p("meal_2026-12-01", "1"),
            p("guests_2026-12-01", "25"),
            p("meal_2026-12-02", "2"),
            p("guests_2026-12-02", "3"),
        ])
        .expect("ok");
        assert_eq!(w.bad_guests, vec![(dec(1), "25".to_string())]);
        assert_eq!(w.wishes[1].option_id, Some(2));
        assert_eq!(w.wishes[1].guests, 3);
    }

    #[test]
    fn malformed_week_forms_are_refused() {
        let refused = |pairs: &[(String, String)], key| {
            assert_eq!(
                parse_week(pairs),
                Err(WeekFormError::Malformed(key)),
                "{pairs:?}"
            )
        };
        refused(&[p("meal_2026-02-30", "1")], "order.err_bad_date");
        refused(&[p("meal_2026-12-01", "abc")], "order.err_unknown_option");
        refused(&[p("price_2026-12-01", "0")], "err.bad_form");
        refused(&[p("admin", "1")], "err.bad_form");
        refused(
            &[p("meal_2026-12-01", "1"), p("meal_2026-12-01", "2")],
            "err.bad_form",
        );
        refused(
            &[p("meal_2026-12-01", "1"), p("shown_2026-12-01", "1")],
            "err.bad_form",
        );
        refused(
            &[p("meal_2026-12-01", "1"), p("shown_2026-12-01", "x:0")],
            "order.err_unknown_option",
        );
        refused(
            &[p("meal_2026-12-01", "1"), p("shown_2026-12-01", "1:99")],
            "err.bad_form",
        );
        refused(&[p("shown_2026-12-01", "none:0")], "err.bad_form");
        refused(
            &[p("meal_2026-12-01", "1"), p("confirm_2026-12-01", "no")],
            "err.bad_form",
        );
        refused(
            &[p("confirm_2026-12-02", "yes"), p("meal_2026-12-01", "1")],
            "err.bad_form",
        );
    }

    #[test]
    fn the_days_menu_mark_is_kept_and_a_mark_that_is_not_one_is_refused() {
        let w = parse_week(&[
            p("meal_2026-12-01", "7"),
            p("menu_2026-12-01", "00ff13a362019f51"),
        ])
        .expect("ok");
        assert_eq!(w.wishes[0].menu_mark.as_deref(), Some("00ff13a362019f51"));
        for bad in ["", "xyz", "00ff13a362019f51aa", "<script>"] {
            assert!(
                parse_week(&[p("meal_2026-12-01", "7"), p("menu_2026-12-01", bad)]).is_err(),
                "{bad}"
            );
        }
        // A mark for a day the form has no choice for, or twice for one day.
        assert!(parse_week(&[p("meal_2026-12-01", "7"), p("menu_2026-12-02", "ab")]).is_err());
        assert!(parse_week(&[
            p("meal_2026-12-01", "7"),
            p("menu_2026-12-01", "ab"),
            p("menu_2026-12-01", "ab"),
        ])
        .is_err());
    }
}
