//! People: categories, statuses, and validation of a person's data (shared by the web form
//! and the import). Pure: no HTTP, no SQL.

use crate::ui::format::{fold_search, parse_date};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

macro_rules! code_enum {
    ($name:ident { $($var:ident = $code:literal, $key:literal, [$($alias:literal),*];)* }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub fn code(self) -> &'static str { match self { $($name::$var => $code),* } }
            pub fn label_key(self) -> &'static str { match self { $($name::$var => $key),* } }
            /// Accepts the code, or (diacritics and case ignored) a Vietnamese/English name.
            pub fn parse(s: &str) -> Option<$name> {
                let f = fold_search(s);
                $( if f == $code $(|| f == $alias)* { return Some($name::$var); } )*
                None
            }
        }
    };
}

code_enum!(Category {
    Leader = "can_bo", "cat.can_bo", ["can bo", "cadre"];
    CivilServant = "cong_chuc", "cat.cong_chuc", ["cong chuc", "civil servant"];
    PublicEmployee = "vien_chuc", "cat.vien_chuc", ["vien chuc", "public employee"];
    Worker = "nguoi_lao_dong", "cat.nguoi_lao_dong", ["nguoi lao dong", "worker", "employee"];
    Contract = "hop_dong", "cat.hop_dong", ["hop dong", "contract", "contractor"];
});

code_enum!(Status {
    Working = "working", "status.working", ["dang lam viec", "dang cong tac", "lam viec"];
    Retired = "retired", "status.retired", ["nghi huu", "huu tri", "da nghi huu"];
    Left = "left", "status.left", ["nghi viec", "da nghi viec", "chuyen cong tac", "thoi viec"];
    Deceased = "deceased", "status.deceased", ["da mat", "tu tran", "da tu tran", "qua doi"];
});

impl Status {
    /// Left or died: no more meals or account from the status date on.
    pub fn is_gone(self) -> bool {
        matches!(self, Status::Left | Status::Deceased)
    }
    /// No more lunch at work from the status date on: gone, or retired (a retiree keeps an
    /// account and stays in the union's lists, but no longer eats at the office canteen).
    pub fn ends_meals(self) -> bool {
        self.is_gone() || self == Status::Retired
    }
}

/// The first day a person with this status has no more meals (None: still eats). Without a
/// date it counts from `today`.
pub fn meals_end(
    status: &str,
    status_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    Status::ALL
        .iter()
        .find(|s| s.code() == status && s.ends_meals())
        .map(|_| status_date.unwrap_or(today))
}

/// The first day a person with this status is gone (None: not gone). A gone status without a
/// date counts from the day it was recorded (`today`).
pub fn gone_from(
    status: &str,
    status_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    Status::ALL
        .iter()
        .find(|s| s.code() == status && s.is_gone())
        .map(|_| status_date.unwrap_or(today))
}

/// A unit and every unit below it, from (id, parent) pairs (a cycle in bad data ends the walk).
pub fn unit_and_below(units: &[(i32, Option<i32>)], unit: i32) -> Vec<i32> {
    let mut out = vec![unit];
    let mut i = 0;
    while i < out.len() && out.len() <= units.len() {
        let parent = out[i];
        for (id, p) in units {
            if *p == Some(parent) && !out.contains(id) {
                out.push(*id);
            }
        }
        i += 1;
    }
    out
}

code_enum!(Gender {
    Male = "male", "gender.male", ["nam", "m"];
    Female = "female", "gender.female", ["nu", "f"];
    Other = "other", "gender.other", ["khac"];
});

/// What a person types or a file holds, before checking.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawPerson {
    pub employee_code: String,
    pub full_name: String,
    pub unit: String,
    pub category: String,
    pub gender: String,
    pub date_of_birth: String,
    pub status: String,
    pub status_date: String,
    pub phone: String,
    pub email: String,
}

/// A checked person, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonData {
    pub employee_code: String,
    pub full_name: String,
    pub unit_id: Option<i32>,
    pub category: Category,
    pub gender: Option<Gender>,
    pub date_of_birth: Option<NaiveDate>,
    pub status: Status,
    pub status_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl PersonData {
    pub fn search_name(&self) -> String {
        fold_search(&self.full_name)
    }
    pub fn sort_key(&self) -> String {
        sort_key(&self.full_name)
    }
}

/// A person's name (staff, retirees, dependants): 2 to `max` characters, letters (of any
/// script) with spaces and the marks names carry (hyphen, apostrophe, dot), at least two of
/// them letters — no digits, no symbols, no emoji.
pub fn name_ok(name: &str, max: usize) -> bool {
    (2..=max).contains(&name.chars().count())
        && name.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && name
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || "-'.’".contains(c))
}

/// A telephone number as people write them: digits with spaces, "+", "-", "." or brackets,
/// 8 to 15 digits (a Vietnamese number has 10, with the country code 11; a switchboard
/// extension a few more), not all zeros.
pub fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit);
    s.chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        && (8..=15).contains(&digits.clone().count())
        && digits.clone().any(|c| c != '0')
}

/// The Vietnamese alphabet (with the Latin letters it lacks in their places).
const ALPHABET: [char; 33] = [
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];

/// A key that sorts names the way Vietnamese lists do: by the given name (the last word),
/// then the family and middle names; letters in the Vietnamese alphabet order (ă, â after a;
/// đ after d; ơ, ô after o; ư after u), then the tones in dictionary order (none, huyền, hỏi,
/// ngã, sắc, nặng) before the next word. Digits only, so that every database collation
/// orders it the same way: per word, two digits per letter and 00 at its end, then one digit
/// per tone (words with the same letters have as many tones, so the next word lines up).
pub fn sort_key(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let ordered: Vec<&str> = match words.split_last() {
        Some((given, rest)) => std::iter::once(*given)
            .chain(rest.iter().copied())
            .collect(),
        None => Vec::new(),
    };
    collation_key(&ordered)
}

/// A key that sorts any Vietnamese text (a dish, a unit) in the Vietnamese alphabet and tone
/// order, word by word, as written.
pub fn text_key(text: &str) -> String {
    collation_key(&text.split_whitespace().collect::<Vec<_>>())
}

fn collation_key(ordered: &[&str]) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut key = String::new();
    for w in ordered {
        let mut letters = String::new();
        let mut tones = String::new();
        // Decomposed: a base letter, then its marks (a shape mark and/or a tone).
        let mut cur: Option<(char, u8)> = None;
        let mut flush = |cur: &mut Option<(char, u8)>| {
            if let Some((c, tone)) = cur.take() {
                let code = match ALPHABET.iter().position(|a| *a == c) {
                    Some(p) => 10 + p,
                    None if c.is_ascii_digit() => 43 + (c as usize - '0' as usize),
                    None => 99,
                };
                letters.push_str(&format!("{code:02}"));
                tones.push(char::from(b'0' + tone));
            }
        };
        for ch in w.to_lowercase().nfd() {
            let shaped = cur.map(|(c, _)| match (c, ch) {
                ('a', '\u{306}') => Some('ă'),
                ('a', '\u{302}') => Some('â'),
                ('e', '\u{302}') => Some('ê'),
                ('o', '\u{302}') => Some('ô'),
                ('o', '\u{31b}') => Some('ơ'),
                ('u', '\u{31b}') => Some('ư'),
                _ => None,
            });
            let tone = match ch {
                '\u{300}' => Some(1),
                '\u{309}' => Some(2),
                '\u{303}' => Some(3),
                '\u{301}' => Some(4),
                '\u{323}' => Some(5),
                _ => None,
            };
            match (cur.as_mut(), shaped.flatten(), tone) {
                (Some(c), Some(s), _) => c.0 = s,
                (Some(c), None, Some(t)) => c.1 = t,
                _ if unicode_normalization::char::is_combining_mark(ch) => {}
                _ => {
                    flush(&mut cur);
                    cur = Some((ch, 0));
                }
            }
        }
        flush(&mut cur);
        key.push_str(&letters);
        key.push_str("00");
        key.push_str(&tones);
    }
    key
}

pub type Problems = Vec<(&'static str, &'static str)>;

fn nfc(s: &str) -> String {
    s.trim()
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a raw person. `find_unit` resolves a unit given by code or name.
pub fn validate(
    raw: &RawPerson,
    today: NaiveDate,
    find_unit: impl Fn(&str) -> Option<i32>,
) -> Result<PersonData, Problems> {
    let mut p: Problems = Vec::new();
    let code = raw.employee_code.trim().to_uppercase();
    if code.is_empty() {
        p.push(("employee_code", "people.err_code_required"));
    } else if code.chars().count() > 20
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        p.push(("employee_code", "people.err_code_format"));
    }
    let name = nfc(&raw.full_name);
    let name_len = name.chars().count();
    if name_len == 0 {
        p.push(("full_name", "people.err_name_required"));
    } else if !name_ok(&name, 100) {
        p.push(("full_name", "people.err_name_format"));
    }
    let unit_id = match raw.unit.trim() {
        "" => None,
        u => match find_unit(u) {
            Some(id) => Some(id),
            None => {
                p.push(("unit", "people.err_unit_unknown"));
                None
            }
        },
    };
    let category = match raw.category.trim() {
        "" => {
            p.push(("category", "people.err_category_required"));
            Category::CivilServant
        }
        c => Category::parse(c).unwrap_or_else(|| {
            p.push(("category", "people.err_category_unknown"));
            Category::CivilServant
        }),
    };
    let gender = match raw.gender.trim() {
        "" => None,
        g => Gender::parse(g).or_else(|| {
            p.push(("gender", "people.err_gender_unknown"));
            None
        }),
    };
    let date_of_birth = match raw.date_of_birth.trim() {
        "" => None,
        d => match parse_date(d) {
            Some(d) if d <= today && d.year_ce().1 >= 1900 => Some(d),
            Some(_) => {
                p.push(("date_of_birth", "people.err_dob_range"));
                None
            }
            None => {
                p.push(("date_of_birth", "people.err_date_format"));
                None
            }
        },
    };
    let status = match raw.status.trim() {
        "" => Status::Working,
        s => Status::parse(s).unwrap_or_else(|| {
            p.push(("status", "people.err_status_unknown"));
            Status::Working
        }),
    };
    let status_date = match raw.status_date.trim() {
        "" => None,
        d => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                p.push(("status_date", "people.err_date_format"));
                None
            }
        },
    };
    if let (Some(b), Some(s)) = (date_of_birth, status_date) {
        if s < b {
            p.push(("status_date", "people.err_status_before_birth"));
        }
    }
    let phone = match raw.phone.trim() {
        "" => None,
        ph => {
            if !phone_ok(ph) {
                p.push(("phone", "people.err_phone"));
            }
            Some(ph.to_string())
        }
    };
    let email = match raw.email.trim() {
        "" => None,
        e => {
            let ok = e.len() <= 254
                && e.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
                })
                && !e.chars().any(char::is_whitespace);
            if !ok {
                p.push(("email", "people.err_email"));
            }
            Some(e.to_lowercase())
        }
    };
    if !p.is_empty() {
        return Err(p);
    }
    Ok(PersonData {
        employee_code: code,
        full_name: name,
        unit_id,
        category,
        gender,
        date_of_birth,
        status,
        status_date,
        phone,
        email,
    })
}

/// Where a change of status stands against the books: the first day of the open books
/// ([`crate::periods::first_open_day`]) and the person's last meal (not cancelled) before it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Books {
    pub first_open: Option<NaiveDate>,
    pub last_closed_meal: Option<NaiveDate>,
}

/// What a change of an existing person's status asks for: the day it takes effect (a person
/// who retires, leaves or dies does so on a day); a death not in the future, a leaving or
/// retirement within a year; and no day before meals the person has in closed books — that
/// would say someone had left while their meals of that month stand paid (a death recorded
/// late, of a retiree or of someone without meals since, keeps its true day). A new person's
/// status is a fact recorded, not a change (an import of people retired years ago), and asks
/// for none of this. `before` is the stored (status, date).
pub fn status_change_problems(
    before: Option<(&str, Option<NaiveDate>)>,
    d: &PersonData,
    books: Books,
    today: NaiveDate,
) -> Problems {
    let mut p: Problems = Vec::new();
    let Some((status, date)) = before else {
        return p;
    };
    let status_changed = status != d.status.code();
    if !status_changed && date == d.status_date {
        return p;
    }
    match d.status_date {
        None if status_changed && d.status != Status::Working => {
            p.push(("status_date", "people.err_status_date_needed"));
        }
        Some(day) if d.status == Status::Deceased && day > today => {
            p.push(("status_date", "people.err_death_future"));
        }
        // A leaving or a retirement is recorded at most a year ahead.
        Some(day)
            if today
                .checked_add_months(chrono::Months::new(12))
                .is_none_or(|hi| day > hi) =>
        {
            p.push(("status_date", "people.err_status_date_far"));
        }
        Some(day)
            if d.status != Status::Working
                && books.first_open.is_some_and(|f| day < f)
                && books.last_closed_meal.is_some_and(|m| m >= day) =>
        {
            p.push(("status_date", "people.err_status_date_closed"));
        }
        _ => {}
    }
    p
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    fn person_data(status: &str, date: &str) -> PersonData {
        let raw = RawPerson {
            employee_code: "NV001".into(),
            full_name: "Nguyễn Văn An".into(),
            category: "Công chức".into(),
            status: status.into(),
            status_date: date.into(),
            ..Default::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
        validate(&raw, today, |_| None).expect("valid")
    }

    #[test]
    fn a_status_change_needs_its_date_and_that_date_not_before_meals_in_closed_books() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
        let books = Books {
            first_open: NaiveDate::from_ymd_opt(2026, 12, 1),
            last_closed_meal: NaiveDate::from_ymd_opt(2026, 11, 27),
        };
        let working = Some(("working", None));
        let problems = |before, d: &PersonData| status_change_problems(before, d, books, today);
        // Leaving without a date, or from a day before meals of closed November: refused.
        assert_eq!(
            problems(working, &person_data("Nghỉ việc", "")),
            vec![("status_date", "people.err_status_date_needed")]
        );
        assert_eq!(
            problems(working, &person_data("Nghỉ việc", "15/11/2026")),
            vec![("status_date", "people.err_status_date_closed")]
        );
        // After the last meal of the closed month (a death recorded late), or in the open
        // month: taken; a retiree without meals keeps the true day too.
        assert!(problems(working, &person_data("Đã mất", "28/11/2026")).is_empty());
        assert!(problems(working, &person_data("Nghỉ việc", "01/12/2026")).is_empty());
        let no_meals = Books {
            last_closed_meal: None,
            ..books
        };
        assert!(status_change_problems(
            Some(("retired", None)),
            &person_data("Đã mất", "15/11/2026"),
            no_meals,
            today
        )
        .is_empty());
        // Moving a stored date back before closed meals is a change too.
        let left = Some(("left", NaiveDate::from_ymd_opt(2026, 12, 5)));
        assert_eq!(
            problems(left, &person_data("Nghỉ việc", "15/11/2026")),
            vec![("status_date", "people.err_status_date_closed")]
        );
        // A death is not in the future; a leaving is planned at most a year ahead.
        assert_eq!(
            problems(working, &person_data("Đã mất", "10/12/2026")),
            vec![("status_date", "people.err_death_future")]
        );
        assert!(problems(working, &person_data("Nghỉ việc", "31/12/2026")).is_empty());
        assert_eq!(
            problems(working, &person_data("Nghỉ việc", "01/01/2099")),
            vec![("status_date", "people.err_status_date_far")]
        );
        // Unchanged (an old retirement with no date, or one dated in closed books): other
        // fields may be edited; a new person's status is recorded as it is.
        assert!(problems(Some(("retired", None)), &person_data("Nghỉ hưu", "")).is_empty());
        let old = Some(("retired", NaiveDate::from_ymd_opt(2010, 1, 1)));
        assert!(problems(old, &person_data("Nghỉ hưu", "01/01/2010")).is_empty());
        assert!(problems(None, &person_data("Nghỉ hưu", "01/01/2010")).is_empty());
        // Back to work needs no date.
        assert!(problems(left, &person_data("Đang làm việc", "")).is_empty());
    }

    #[test]
    fn a_name_is_letters_with_spaces_and_the_marks_names_carry() {
        for ok in [
            "Nguyễn Văn An",
            "Lê Thị Ánh-Dương",
            "O'Brien",
            "Trần T. Bình",
            "Ma Ly",
        ] {
            assert!(super::name_ok(ok, 100), "{ok}");
        }
        for bad in [
            "🍜🍜",
            "An 2",
            "A",
            "Nguyễn <b>",
            "Lan 🙂",
            "..",
            &"a".repeat(101),
        ] {
            assert!(!super::name_ok(bad, 100), "{bad}");
        }
    }

    #[test]
    fn a_phone_number_is_8_to_15_digits_written_as_people_write_them_and_not_all_zeros() {
        for ok in [
            "0912 345 678",
            "+84 912.345.678",
            "(024) 3825-1234",
            "02438251234 101",
        ] {
            assert!(super::phone_ok(ok), "{ok}");
        }
        for bad in [
            "0912",
            "0000000000",
            &"0".repeat(50),
            "0912 345 678 99999 1",
            "0912-ABC-678",
            "０９１２３４５６７８",
        ] {
            assert!(!super::phone_ok(bad), "{bad}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn raw() -> RawPerson {
        RawPerson {
            employee_code: "nv001".into(),
            full_name: "  Nguyễn   Văn An ".into(),
            unit: "VP".into(),
            category: "Công chức".into(),
            gender: "Nam".into(),
            date_of_birth: "05/09/1980".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_row_is_normalised() {
        let d = validate(&raw(), today(), |u| (u == "VP").then_some(3)).expect("valid");
        assert_eq!(d.employee_code, "NV001");
        assert_eq!(d.full_name, "Nguyễn Văn An");
        assert_eq!(d.unit_id, Some(3));
        assert_eq!(d.category, Category::CivilServant);
        assert_eq!(d.gender, Some(Gender::Male));
        assert_eq!(d.status, Status::Working);
        assert_eq!(d.search_name(), "nguyen van an");
    }

    #[test]
    fn each_problem_is_named_by_field() {
        let mut r = raw();
        r.employee_code = "".into();
        r.unit = "XYZ".into();
        r.date_of_birth = "31/02/1980".into();
        r.email = "an@".into();
        r.status = "đang nghỉ mát".into();
        let p = validate(&r, today(), |_| None).expect_err("invalid");
        assert!(p.contains(&("employee_code", "people.err_code_required")));
        assert!(p.contains(&("unit", "people.err_unit_unknown")));
        assert!(p.contains(&("date_of_birth", "people.err_date_format")));
        assert!(p.contains(&("email", "people.err_email")));
        assert!(p.contains(&("status", "people.err_status_unknown")));
    }

    #[test]
    fn a_unit_stands_for_itself_and_every_unit_below_it() {
        let units = [
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, None),
            (5, Some(5)),
        ];
        let mut below = unit_and_below(&units, 1);
        below.sort_unstable();
        assert_eq!(below, vec![1, 2, 3]);
        assert_eq!(unit_and_below(&units, 4), vec![4]);
        assert_eq!(
            unit_and_below(&units, 5),
            vec![5],
            "a unit that is its own parent"
        );
    }

    #[test]
    fn codes_and_names_in_either_language_are_understood() {
        assert_eq!(Status::parse("Nghỉ hưu"), Some(Status::Retired));
        assert_eq!(Status::parse("retired"), Some(Status::Retired));
        assert_eq!(Category::parse("NGƯỜI LAO ĐỘNG"), Some(Category::Worker));
        assert_eq!(Gender::parse("Nữ"), Some(Gender::Female));
        assert_eq!(Gender::parse("nu"), Some(Gender::Female));
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        let mut r = raw();
        r.date_of_birth = "01/01/2030".into();
        let p = validate(&r, today(), |_| Some(1)).expect_err("future");
        assert_eq!(p, vec![("date_of_birth", "people.err_dob_range")]);
    }

    #[test]
    fn names_sort_the_vietnamese_way() {
        let mut names = vec![
            "Trần Thị Đào",
            "Lê Văn Dũng",
            "Nguyễn Văn Anh",
            "Phạm Thị Ánh",
            "Hoàng Văn An",
            "Vũ Thị Ấn",
            "Đỗ Văn Ăn",
            "Ngô Thị Ảnh",
            "Bùi Văn Ạnh",
            "Trịnh Thị Ãnh",
            "Đặng Văn Anh",
            "Lý Thị Dung",
            "Mai Ơn",
            "Hà Ôn",
            "Tạ On",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "Hoàng Văn An",
                // The same given name: by family name, Đ right after D (so before N).
                "Đặng Văn Anh",
                "Nguyễn Văn Anh",
                // Tones: none, hỏi, ngã, sắc, nặng.
                "Ngô Thị Ảnh",
                "Trịnh Thị Ãnh",
                "Phạm Thị Ánh",
                "Bùi Văn Ạnh",
                // ă and â are letters of their own, after a.
                "Đỗ Văn Ăn",
                "Vũ Thị Ấn",
                "Lý Thị Dung",
                "Lê Văn Dũng",
                "Trần Thị Đào",
                "Tạ On",
                "Hà Ôn",
                "Mai Ơn",
            ]
        );
        assert!(sort_key("An").chars().all(|c| c.is_ascii_digit()));
        let mut dishes = ["Gà rang gừng", "Đậu que xào", "Dưa xào", "Canh bí đỏ"];
        dishes.sort_by_key(|d| text_key(d));
        assert_eq!(
            dishes,
            ["Canh bí đỏ", "Dưa xào", "Đậu que xào", "Gà rang gừng"]
        );
        assert_eq!(sort_key("  "), "");
        assert!(
            sort_key("Lê Văn Hà") < sort_key("Lê Văn Hải"),
            "a shorter name first"
        );
    }
}
