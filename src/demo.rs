//! Demo data for a newcomer: the units named at the ministry office meeting, about 150
//! persons with realistic Vietnamese names (some retired), and one account per role.

use crate::audit::Actor;
use crate::auth::roles::{Role, RoleSet};
use crate::auth::{password, store as users};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::AppError;
use crate::people::rules::{Category, Gender, PersonData, Status};
use crate::people::store as people;
use chrono::NaiveDate;

pub const UNITS: &[(&str, &str, Option<&str>)] = &[
    ("VP", "Văn phòng Bộ", None),
    ("VP-HC", "Phòng Hành chính", Some("VP")),
    ("VP-QT", "Phòng Quản trị", Some("VP")),
    ("TCCB", "Vụ Tổ chức cán bộ", None),
    ("KHTC", "Vụ Kế hoạch – Tài chính", None),
    ("HTQT", "Vụ Hợp tác quốc tế", None),
    ("PLC", "Vụ Các vấn đề chung về xây dựng pháp luật", None),
    ("TDKT", "Vụ Thi đua – Khen thưởng", None),
    ("CNTT", "Cục Công nghệ thông tin", None),
    ("THADS", "Tổng cục Thi hành án dân sự", None),
];

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân",
];
const MIDDLE_F: &[&str] = &["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Diệu", "Hồng"];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng",
    "Tuấn", "Việt", "Hiếu", "Đạt",
];
const GIVEN_F: &[&str] = &[
    "Anh", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Quỳnh",
    "Thảo", "Trang", "Yến", "Hạnh",
];

pub const PERSONS: usize = 165;
pub const RETIREES_FROM: usize = 136;
pub const STAFF_ACCOUNTS: usize = 40;

/// (username, display name, roles, linked employee code)
pub const ROLE_ACCOUNTS: &[(&str, &str, &[Role], Option<&str>)] = &[
    ("admin", "Quản trị hệ thống", &[Role::Admin], None),
    (
        "ketoan",
        "Kế toán",
        &[Role::Accountant, Role::Staff],
        Some("NV131"),
    ),
    (
        "duyet",
        "Kế toán trưởng",
        &[Role::Approver, Role::Staff],
        Some("NV132"),
    ),
    ("bep", "Tổ bếp", &[Role::Kitchen], Some("NV133")),
    (
        "bepruong",
        "Bếp trưởng",
        &[Role::Kitchen, Role::KitchenManager],
        None,
    ),
    (
        "congdoan",
        "Công đoàn",
        &[Role::UnionOfficer, Role::Staff],
        Some("NV134"),
    ),
    (
        "thutruong",
        "Chánh Văn phòng",
        &[Role::Approver, Role::Staff],
        Some("NV135"),
    ),
    (
        "phochanh",
        "Phó Chánh Văn phòng",
        &[Role::Approver, Role::Staff],
        Some("NV136"),
    ),
    ("lanhdao", "Lãnh đạo Văn phòng", &[Role::Leader], None),
];

/// A small deterministic generator (splitmix64), so every demo looks the same.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }
}

pub fn person(i: usize, unit_ids: &[i32]) -> PersonData {
    let mut r = Rng(i as u64);
    let female = r.next(2) == 1;
    let (mid, given) = if female {
        (MIDDLE_F, GIVEN_F)
    } else {
        (MIDDLE_M, GIVEN_M)
    };
    let name = format!(
        "{} {} {}",
        FAMILY[r.next(FAMILY.len())],
        mid[r.next(mid.len())],
        given[r.next(given.len())]
    );
    let retired = i >= RETIREES_FROM;
    let year = if retired {
        1936 + r.next(25) as i32
    } else {
        1966 + r.next(34) as i32
    };
    let dob = NaiveDate::from_ymd_opt(year, 1 + r.next(12) as u32, 1 + r.next(28) as u32);
    let category = match r.next(10) {
        0 => Category::Leader,
        1..=5 => Category::CivilServant,
        6 | 7 => Category::PublicEmployee,
        8 => Category::Worker,
        _ => Category::Contract,
    };
    PersonData {
        employee_code: format!("NV{i:03}"),
        full_name: name,
        unit_id: unit_ids.get(i % unit_ids.len()).copied(),
        category,
        gender: Some(if female { Gender::Female } else { Gender::Male }),
        date_of_birth: dob,
        status: if retired {
            Status::Retired
        } else {
            Status::Working
        },
        status_date: if retired {
            NaiveDate::from_ymd_opt(2010 + r.next(15) as i32, 7, 1)
        } else {
            None
        },
        phone: Some(format!("09{:08}", (i * 7_654_321) % 100_000_000)),
        email: (!retired).then(|| format!("nv{i:03}@bo.gov.vn")),
    }
}

/// Loads the demo into an empty database. Returns what to tell the newcomer, or None when
/// the database already holds data (nothing is touched then).
pub fn load(
    db: &Db,
    clock: &Clock,
    password_env: Option<String>,
) -> anyhow::Result<Option<String>> {
    let (pw, generated) = match password_env {
        Some(p) => (p, false),
        None => (password::generate(), true),
    };
    let hash = password::hash(&pw)?;
    let actor = Actor::system("demo");
    let now = clock.now_naive();
    let clock = clock.clone();
    let loaded = db
        .write_tx(move |c| {
            if people::count_persons(c)? > 0 || users::count(c)? > 0 {
                return Ok(false);
            }
            let mut ids: Vec<(&str, i32)> = Vec::new();
            for (code, name, parent) in UNITS {
                let parent_id =
                    parent.and_then(|p| ids.iter().find(|(c, _)| *c == p).map(|(_, id)| *id));
                let id = people::create_unit(c, &actor, now, code, name, parent_id)?;
                ids.push((code, id));
            }
            let unit_ids: Vec<i32> = ids.iter().map(|(_, id)| *id).collect();
            let mut person_ids = Vec::new();
            for i in 1..=PERSONS {
                person_ids.push(people::create_person(
                    c,
                    &actor,
                    now,
                    &person(i, &unit_ids),
                )?);
            }
            let mut add = |username: &str,
                           display: &str,
                           roles: RoleSet,
                           person_id: Option<i32>|
             -> Result<(), AppError> {
                let new = users::NewUser {
                    username,
                    display_name: display,
                    password_hash: &hash,
                    must_change_password: false,
                    roles,
                    person_id,
                };
                users::create(c, &actor, now, new)
                    .map(|_| ())
                    .map_err(|e| match e {
                        users::CreateError::Other(e) => e,
                        _ => AppError::internal("demo account clash"),
                    })
            };
            for (username, display, roles, code) in ROLE_ACCOUNTS {
                let pid = code
                    .and_then(|c| c[2..].parse::<usize>().ok())
                    .and_then(|i| person_ids.get(i - 1).copied());
                add(username, display, roles.iter().copied().collect(), pid)?;
            }
            for i in 1..=STAFF_ACCOUNTS {
                let p = person(i, &unit_ids);
                add(
                    &format!("nv{i:03}"),
                    &p.full_name,
                    RoleSet::empty().with(Role::Staff),
                    Some(person_ids[i - 1]),
                )?;
            }
            subsidy_demo(c, &actor, &clock, &person_ids)?;
            canteen_demo(c, &actor, &clock, &person_ids)?;
            accounting_demo(c, &actor, &clock)?;
            crate::foodsafety::demo::load(c, &clock)?;
            crate::welfare::demo::load(c, &clock, &person_ids, RETIREES_FROM)?;
            signing_demo(c, &actor, &clock)?;
            todays_meals(c, &clock)?;
            Ok(true)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !loaded {
        return Ok(None);
    }
    let names: Vec<&str> = ROLE_ACCOUNTS.iter().map(|a| a.0).collect();
    let pw_line = if generated {
        format!("Password for every demo account (shown once): {pw}")
    } else {
        "Password: the value of CANTEEN_DEMO_PASSWORD".to_string()
    };
    Ok(Some(format!(
        "Demo data loaded: {} units, {PERSONS} persons, accounts {} and nv001…nv{STAFF_ACCOUNTS:03}.\n{pw_line}",
        UNITS.len(),
        names.join(", ")
    )))
}

/// Name, vegetarian, allergen codes (`rules::ALLERGENS`), liquid (a soup).
const DISHES: &[(&str, bool, &str, bool)] = &[
    ("Thịt kho trứng", false, "eggs,soy", false),
    ("Cá thu sốt cà chua", false, "fish", false),
    ("Gà rang gừng", false, "", false),
    ("Bò xào hành tây", false, "soy", false),
    ("Tôm rim", false, "crustaceans", false),
    ("Sườn xào chua ngọt", false, "", false),
    ("Đậu phụ sốt cà chua", true, "soy", false),
    ("Nấm xào thập cẩm", true, "", false),
    ("Rau muống xào tỏi", true, "", false),
    ("Canh cải nấu thịt", false, "", true),
    ("Canh bí đỏ", true, "", true),
    ("Canh chua cá", false, "fish", true),
    ("Đậu que xào", true, "", false),
    ("Chả giò chay", true, "gluten,soy", false),
];

/// Two funds with this year's budget, a general subsidy for everyone and a low-income top-up,
/// the no-show rule, and a dozen low-income decisions (two expiring within 30 days).
fn subsidy_demo(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    clock: &Clock,
    person_ids: &[i32],
) -> Result<(), AppError> {
    use crate::ledger::store as ledger;
    use crate::subsidy::split::{Amount, Covers};
    use crate::subsidy::store as subsidy;
    use chrono::{Datelike, Duration};
    let now = clock.now_naive();
    let today = clock.today();
    let year_start = today.with_ordinal(1).unwrap_or(today);
    let meals = ledger::create_fund(
        c,
        actor,
        now,
        "TA",
        "Kinh phí tự chủ – tiền ăn trưa",
        "budget",
    )?;
    let welfare = ledger::create_fund(c, actor, now, "PL", "Quỹ phúc lợi", "welfare")?;
    ledger::set_budget(
        c,
        actor,
        now,
        meals,
        today.year(),
        crate::money::Vnd(600_000_000),
    )?;
    ledger::set_budget(
        c,
        actor,
        now,
        welfare,
        today.year(),
        crate::money::Vnd(120_000_000),
    )?;
    // The year's first allocations reached the funds on their first working day.
    for (fund, amount, what) in [
        (
            meals,
            300_000_000,
            "Cấp kinh phí tiền ăn trưa 6 tháng đầu năm",
        ),
        (welfare, 60_000_000, "Trích quỹ phúc lợi 6 tháng đầu năm"),
    ] {
        ledger::post(
            c,
            actor,
            now,
            &ledger::NewVoucher {
                fund,
                kind: ledger::RECEIPT,
                date: (year_start + Duration::days(4)).min(today),
                amount: crate::money::Vnd(amount),
                description: what,
                person: None,
                source: None,
            },
        )?;
    }
    for (name, covers, amount, cap, fund, basis) in [
        (
            "Hỗ trợ tiền ăn trưa chung",
            Covers::Everyone,
            Amount::Fixed(crate::money::Vnd(10_000)),
            None,
            meals,
            "Quy chế chi tiêu nội bộ, Điều 12",
        ),
        (
            "Hỗ trợ thêm cho cán bộ thu nhập thấp",
            Covers::Band("low_income".into()),
            Amount::StaffPaysAtMost(crate::money::Vnd(15_000)),
            Some(22),
            welfare,
            "Quy chế chi tiêu nội bộ, Điều 13",
        ),
    ] {
        subsidy::add_policy(
            c,
            actor,
            now,
            &subsidy::NewPolicy {
                name,
                covers: &covers,
                amount,
                monthly_cap: cap,
                income_threshold: Some(crate::money::Vnd(7_000_000)),
                fund,
                from: year_start,
                to: None,
                legal_basis: basis,
            },
        )?;
    }
    subsidy::set_no_show_rule(
        c,
        actor,
        now,
        year_start,
        crate::subsidy::split::NoShowCharge::ChargeFull,
    )?;
    // Salary bases: grade coefficients of the civil service scales, some with allowances.
    let grades = [234, 267, 300, 333, 366, 399, 444, 498, 200, 186];
    for (n, pid) in person_ids.iter().enumerate() {
        let allowance = if n % 4 == 0 { 20 } else { 0 };
        subsidy::set_salary_basis(
            c,
            actor,
            now,
            *pid,
            chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or(year_start),
            grades[n % grades.len()],
            allowance,
        )?;
    }
    for (n, pid) in person_ids.iter().enumerate().skip(2).step_by(9).take(12) {
        let soon = n % 4 == 2;
        let decision = format!("{}/QĐ-VP", 10 + n);
        subsidy::add_eligibility(
            c,
            actor,
            now,
            &subsidy::NewEligibility {
                person: *pid,
                band: "low_income",
                from: year_start,
                to: soon.then(|| today + Duration::days(20)),
                basis: "decision",
                decision_no: Some(&decision),
                decision_date: Some(year_start),
                note: "",
            },
        )?
        .map_err(|_| AppError::internal("demo eligibility overlaps"))?;
    }
    Ok(())
}

/// Menus for last month, this week and next (published), standing orders for most staff,
/// and last month served with a few no-shows, guests, leftovers and ratings.
fn canteen_demo(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    clock: &Clock,
    person_ids: &[i32],
) -> Result<(), AppError> {
    use crate::canteen::{feedback, menu, ordering, rules, standing, store as cstore};
    use chrono::{Datelike, Duration};
    let now = clock.now();
    let nowt = clock.now_naive();
    let today = clock.today();
    for (name, veg, allergens, liquid) in DISHES {
        let d = cstore::DishInput {
            name: name.to_string(),
            description: String::new(),
            vegetarian: *veg,
            allergens: allergens.to_string(),
            allergen_notes: String::new(),
            liquid: *liquid,
            active: true,
        };
        cstore::save_dish(c, None, &d, actor, nowt)?.map_err(AppError::BadRequest)?;
    }
    let catalogue = cstore::all_dishes(c)?;
    let pick = |names: &[&str]| -> Vec<cstore::Dish> {
        names
            .iter()
            .filter_map(|n| catalogue.iter().find(|d| d.name == *n).cloned())
            .collect()
    };
    let meat: Vec<&str> = DISHES
        .iter()
        .filter(|d| !d.1 && !d.0.starts_with("Canh"))
        .map(|d| d.0)
        .collect();
    let veg: Vec<&str> = DISHES
        .iter()
        .filter(|d| d.1 && !d.0.starts_with("Canh"))
        .map(|d| d.0)
        .collect();
    let first_last_month = (today.with_day(1).unwrap_or(today) - Duration::days(1))
        .with_day(1)
        .unwrap_or(today);
    let this_monday = rules::monday_of(today);
    let mut days: Vec<chrono::NaiveDate> = Vec::new();
    let mut d = first_last_month;
    while d < this_monday + Duration::days(14) {
        if rules::is_open_by_default(d) {
            days.push(d);
        }
        d += Duration::days(1);
    }
    let mut rng = Rng(2026);
    for day in &days {
        let regular = pick(&[
            meat[rng.next(meat.len())],
            veg[rng.next(veg.len())],
            "Canh cải nấu thịt",
        ]);
        let v = rng.next(veg.len());
        let vegetarian = pick(&[veg[v], veg[(v + 1) % veg.len()], "Canh bí đỏ"]);
        for (name, price, is_veg, dishes) in [
            ("Suất thường", 35_000, false, &regular),
            ("Suất chay", 30_000, true, &vegetarian),
        ] {
            let o = cstore::NewOption {
                service_date: *day,
                name,
                price_vnd: crate::money::Vnd(price),
                capacity: None,
                vegetarian: is_veg,
                dishes,
            };
            cstore::add_option(c, &o)?.map_err(AppError::BadRequest)?;
        }
    }
    // Standing orders: most working staff, Monday to Friday; some vegetarian on lunar days.
    for (i, pid) in person_ids.iter().enumerate().take(RETIREES_FROM - 1) {
        if i % 7 == 6 {
            continue;
        }
        let s = rules::Standing {
            weekdays: vec![1, 2, 3, 4, 5],
            prefer_vegetarian: i % 11 == 0,
            lunar_vegetarian: i % 5 == 0,
        };
        standing::save_standing(c, *pid, Some(&s), nowt)?;
    }
    // The past (last month and the days of this week already gone): served, a few no-shows.
    let standing = standing::all_standing(c)?;
    for day in days.iter().filter(|d| **d < today) {
        let opts = cstore::options_between(c, *day, *day)?;
        open_and_published(c, *day, nowt)?;
        let refs: Vec<_> = opts.iter().map(cstore::MealOption::as_ref).collect();
        let mut served = 0;
        for (pid, s) in &standing {
            let Some(want_veg) = s.wants(*day, *day) else {
                continue;
            };
            let Some(opt) =
                rules::pick_option(&refs, want_veg).and_then(|id| opts.iter().find(|o| o.id == id))
            else {
                continue;
            };
            let no_show = rng.next(40) == 0;
            let guests = if rng.next(60) == 0 {
                1 + rng.next(3) as i32
            } else {
                0
            };
            let served_at = day.and_hms_opt(4, 30 + rng.next(40) as u32, 0);
            let status = if no_show {
                ordering::NO_SHOW
            } else {
                ordering::SERVED
            };
            let id = feedback::record_past_meal(
                c,
                &feedback::PastMeal {
                    person: *pid,
                    option: opt,
                    status,
                    guests,
                    served_at: served_at.filter(|_| !no_show),
                },
                nowt,
            )?;
            if !no_show {
                served += 1 + guests;
                if rng.next(25) == 0 {
                    let comments = [
                        "Ngon, vừa miệng",
                        "Canh hơi mặn",
                        "Cơm hơi khô",
                        "",
                        "Rau tươi",
                    ];
                    feedback::rate(
                        c,
                        id,
                        3 + rng.next(3) as i32,
                        comments[rng.next(comments.len())],
                        nowt,
                    )?;
                }
            }
        }
        let prepared = served + 5 + rng.next(8) as i32;
        feedback::save_waste(
            c,
            *day,
            prepared,
            prepared - served + rng.next(3) as i32 - 1,
            "",
            nowt,
        )?;
    }
    // This week and next: publish; standing orders become meals on the days still open.
    menu::publish(c, actor, this_monday, now)?;
    menu::publish(c, actor, this_monday + Duration::days(7), now)?;
    Ok(())
}

/// Today's meals from the standing orders, waiting at the counter whatever the hour the demo
/// starts at: publishing fills only the days still open (before today's cut-off), so after it
/// today would have none. Run last, as if placed in the morning: whoever is away today (the
/// head's trip) has none, as before the cut-off.
fn todays_meals(c: &mut crate::db::DbConn, clock: &Clock) -> Result<(), AppError> {
    use crate::canteen::{standing, store as cstore};
    let today = clock.today();
    let opts = cstore::options_between(c, today, today)?;
    if opts.is_empty() {
        return Ok(());
    }
    let nowt = clock.now_naive();
    open_and_published(c, today, nowt)?;
    standing::materialize_day(c, today, today, &opts, nowt)?;
    Ok(())
}

/// A serving day of the demo: open, its menu published.
fn open_and_published(
    c: &mut crate::db::DbConn,
    day: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let row = crate::canteen::rules::DayRow {
        is_open: true,
        reason: None,
        published: true,
        makeup_for: None,
    };
    crate::canteen::store::put_day(c, day, &row, now)
}

/// The caterer's e-invoice XML for a month, one line per day and option ("Suất ăn trưa ngày
/// dd/mm/yyyy - Suất thường") at the option's price with 8 % VAT (the amount before VAT written with two decimals, as
/// e-invoices do). The demo imports it through the same path as an uploaded file; `demo/`
/// holds an example of the format.
pub fn einvoice_xml(
    seller_tax_code: &str,
    number: u32,
    issued_on: chrono::NaiveDate,
    lines: &[(chrono::NaiveDate, String, i64, i64)],
) -> String {
    let mut items = String::new();
    let mut total = 0;
    for (i, (day, option, qty, price)) in lines.iter().enumerate() {
        // before VAT, in 1/100 đồng: qty × price ÷ 1.08, rounded
        let cents = (qty * price * 10_000 + 54) / 108;
        let unit = (price * 10_000 + 54) / 108;
        total += qty * price;
        items.push_str(&format!(
            "<HHDVu><TChat>1</TChat><STT>{}</STT><THHDVu>Suất ăn trưa ngày {} - {option}</THHDVu>\
             <DVTinh>Suất</DVTinh><SLuong>{qty}</SLuong><DGia>{}.{:02}</DGia><TSuat>8%</TSuat>\
             <ThTien>{}.{:02}</ThTien></HHDVu>\n",
            i + 1,
            day.format("%d/%m/%Y"),
            unit / 100,
            unit % 100,
            cents / 100,
            cents % 100,
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<HDon>
<DLHDon Id="data">
<TTChung><PBan>2.1.0</PBan><THDon>Hóa đơn giá trị gia tăng</THDon><KHMSHDon>1</KHMSHDon><KHHDon>C{yy}TSA</KHHDon><SHDon>{number}</SHDon><NLap>{issued}</NLap><DVTTe>VND</DVTTe><TGia>1</TGia><HTTToan>Chuyển khoản</HTTToan></TTChung>
<NDHDon>
<NBan><Ten>Công ty TNHH Suất ăn công nghiệp Hà Thành</Ten><MST>{seller_tax_code}</MST><DChi>Số 12 phố Mẫu, Hà Nội</DChi></NBan>
<NMua><Ten>Văn phòng Bộ</Ten><MST>0100000001</MST><DChi>Hà Nội</DChi></NMua>
<DSHHDVu>
{items}</DSHHDVu>
<TToan><TgTTTBSo>{total}</TgTTTBSo><TgTTTBChu>Theo số</TgTTTBChu></TToan>
</NDHDon>
</DLHDon>
</HDon>
"#,
        yy = issued_on.format("%y"),
        issued = issued_on.format("%Y-%m-%d"),
    )
}

/// The caterer with its contract (35.000 ₫ a meal ordered, 30.000 ₫ a vegetarian one, VAT
/// included) since last month, last month's e-invoice with two discrepancies (one day billed
/// two meals more, one option of a day not billed at all), the accountant's note on the difference, and last month closed.
fn accounting_demo(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    clock: &Clock,
) -> Result<(), AppError> {
    use crate::suppliers::store as suppliers;
    use chrono::{Datelike, Duration};
    let now = clock.now_naive();
    let today = clock.today();
    let first = (today.with_day(1).unwrap_or(today) - Duration::days(1))
        .with_day(1)
        .unwrap_or(today);
    let (_, last) = crate::subsidy::store::month_of(first);
    let mst = "0109876543";
    let supplier = suppliers::add_supplier(
        c,
        actor,
        now,
        "Công ty TNHH Suất ăn công nghiệp Hà Thành",
        mst,
        "Số 12 phố Mẫu, Hà Nội",
    )?;
    suppliers::add_contract(
        c,
        actor,
        now,
        &suppliers::NewContract {
            supplier_id: supplier,
            reference: "05/2026/HĐ-VP",
            valid_from: first,
            valid_to: None,
            bills: suppliers::BILLS_ORDERED,
            prices: &[
                (String::new(), crate::money::Vnd(35_000)),
                ("Suất chay".to_string(), crate::money::Vnd(30_000)),
            ],
        },
    )?;
    let mut lines: Vec<(chrono::NaiveDate, String, i64, i64)> =
        crate::canteen::ordering::day_counts(c, first, last)?
            .into_iter()
            .map(|n| {
                let price = if n.option_name == "Suất chay" {
                    30_000
                } else {
                    35_000
                };
                (
                    n.day,
                    n.option_name,
                    n.ordered + n.guests + n.walk_ins,
                    price,
                )
            })
            .collect();
    if let Some(l) = lines.get_mut(4) {
        l.2 += 2;
    }
    if lines.len() > 9 {
        lines.remove(9);
    }
    let xml = einvoice_xml(mst, 1024, last, &lines);
    let invoice = suppliers::read_einvoice(xml.as_bytes())
        .map_err(|r| AppError::internal(format!("demo e-invoice: {} {}", r.key, r.detail)))?;
    let file = format!("hoa-don-{}.xml", first.format("%Y-%m"));
    suppliers::add_invoice(
        c,
        actor,
        now,
        &suppliers::NewInvoice::from_einvoice(&invoice, first, &file, xml.as_bytes()),
    )?;
    crate::accounting::store::write_note(
        c,
        actor,
        now,
        first,
        "Hóa đơn tính thừa 2 suất một ngày và thiếu một ngày; đã đề nghị nhà cung cấp điều chỉnh \
         ở hóa đơn tháng sau. Phần chênh giữa giá bán và giá hợp đồng nộp quỹ nhà ăn.",
    )?;
    crate::accounting::store::close_month(c, actor, now, first)?;
    Ok(())
}

/// Who signs: duyet as chief accountant, thutruong as head, phochanh as deputy head; the head
/// is on a business trip this week and has authorised the deputy to sign (KT.) meanwhile.
fn signing_demo(c: &mut crate::db::DbConn, actor: &Actor, clock: &Clock) -> Result<(), AppError> {
    use crate::signoff::store as signoff;
    use chrono::Duration;
    let now = clock.now_naive();
    let today = clock.today();
    let id = |c: &mut crate::db::DbConn, name: &str| -> Result<(i32, Option<i32>), AppError> {
        let u = users::by_username(c, name)?.ok_or(AppError::internal("demo signer"))?;
        Ok((u.id, u.person_id))
    };
    let (chief, _) = id(c, "duyet")?;
    let (head, head_person) = id(c, "thutruong")?;
    let (deputy, _) = id(c, "phochanh")?;
    signoff::set_signatory(
        c,
        actor,
        now,
        chief,
        Some((signoff::CHIEF, "Kế toán trưởng")),
    )?;
    signoff::set_signatory(
        c,
        actor,
        now,
        head,
        Some((signoff::HEAD, "Chánh Văn phòng")),
    )?;
    signoff::set_signatory(
        c,
        actor,
        now,
        deputy,
        Some((signoff::DEPUTY, "Phó Chánh Văn phòng")),
    )?;
    let (from, to) = (today, today + Duration::days(4));
    if let Some(p) = head_person {
        crate::canteen::standing::declare_absence(
            c,
            p,
            from,
            to,
            "business_trip",
            "Công tác Đà Nẵng",
            None,
            clock.now(),
        )?
        .map_err(|_| AppError::internal("demo trip"))?;
    }
    signoff::add_delegation(c, actor, now, head, deputy, from, to, "", today)?;
    Ok(())
}
