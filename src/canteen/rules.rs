//! Lunch ordering rules. Pure: no HTTP, no SQL. Cut-offs are decided here, on the server,
//! in business time (Asia/Ho_Chi_Minh).

use crate::clock::business_offset;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Orders and changes for day D are accepted until D at this local time.
    pub cutoff: NaiveTime,
    /// How many days ahead staff may order.
    pub horizon_days: i64,
    /// Whether the counter may serve people who did not order (charged at full price).
    pub allow_walk_in: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cutoff: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            horizon_days: 14,
            allow_walk_in: true,
        }
    }
}

/// The instant (UTC) at which day D's orders close.
pub fn cutoff_instant(day: NaiveDate, cutoff: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(cutoff);
    business_offset()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

pub fn is_open_by_default(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// What the database says about a day (None: no row, so the default applies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayRow {
    pub is_open: bool,
    pub reason: Option<String>,
    pub published: bool,
    /// A make-up working day (làm bù) names the weekday it replaces.
    pub makeup_for: Option<NaiveDate>,
}

impl DayRow {
    /// The day whose weekday standing orders follow: the replaced day on a make-up day.
    pub fn standing_as(row: Option<&DayRow>, day: NaiveDate) -> NaiveDate {
        row.and_then(|r| r.makeup_for).unwrap_or(day)
    }
}

/// Checks a make-up working day: a weekend day, replacing a weekday (Monday–Friday) within
/// four weeks of it.
pub fn check_makeup(day: NaiveDate, replaces: NaiveDate) -> Result<(), &'static str> {
    if is_open_by_default(day) {
        return Err("cal.err_makeup_not_weekend");
    }
    if !is_open_by_default(replaces) || replaces == day {
        return Err("cal.err_makeup_weekday");
    }
    if (replaces - day).num_days().abs() > 28 {
        return Err("cal.err_makeup_far");
    }
    Ok(())
}

/// The allergen groups a dish can contain (codes stored comma-separated, in this order).
pub const ALLERGENS: [&str; 13] = [
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soy",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "molluscs",
];

/// The i18n key of an allergen code.
pub fn allergen_key(code: &str) -> &'static str {
    match code {
        "gluten" => "allergen.gluten",
        "crustaceans" => "allergen.crustaceans",
        "eggs" => "allergen.eggs",
        "fish" => "allergen.fish",
        "peanuts" => "allergen.peanuts",
        "soy" => "allergen.soy",
        "milk" => "allergen.milk",
        "nuts" => "allergen.nuts",
        "celery" => "allergen.celery",
        "mustard" => "allergen.mustard",
        "sesame" => "allergen.sesame",
        "sulphites" => "allergen.sulphites",
        _ => "allergen.molluscs",
    }
}

/// Allergen codes as submitted (checkboxes) → the stored text: known codes only, in the
/// list's order, each once. An unknown code is a forged form.
pub fn allergen_set(codes: &[String]) -> Result<String, &'static str> {
    if codes.iter().any(|c| !ALLERGENS.contains(&c.as_str())) {
        return Err("err.bad_form");
    }
    Ok(ALLERGENS
        .iter()
        .filter(|a| codes.iter().any(|c| c == *a))
        .copied()
        .collect::<Vec<_>>()
        .join(","))
}

/// The codes of a stored allergen text.
pub fn allergen_codes(stored: &str) -> impl Iterator<Item = &str> {
    stored.split(',').map(str::trim).filter(|c| !c.is_empty())
}

/// The union of several stored allergen texts (an option's dishes), in the list's order.
pub fn allergen_union<'a>(sets: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = sets.into_iter().flat_map(allergen_codes).collect();
    ALLERGENS
        .iter()
        .filter(|a| all.contains(a))
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// The allergens of an option that the person said they react to.
pub fn allergen_clash<'a>(option: &'a str, person: &str) -> Vec<&'a str> {
    allergen_codes(option)
        .filter(|c| allergen_codes(person).any(|p| p == *c))
        .collect()
}

/// Why a day cannot be changed now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lock {
    Closed(Option<String>),
    /// The day is over.
    Past,
    Unpublished,
    PastCutoff,
    BeyondHorizon,
    /// The person has left (or died) by this day.
    Gone,
}

impl Lock {
    pub fn message_key(&self) -> &'static str {
        match self {
            Lock::Closed(_) => "order.lock_closed",
            Lock::Past => "order.lock_past",
            Lock::Unpublished => "order.lock_unpublished",
            Lock::PastCutoff => "order.lock_past_cutoff",
            Lock::BeyondHorizon => "order.lock_beyond_horizon",
            Lock::Gone => "order.err_person_left",
        }
    }
}

pub fn is_open(day: NaiveDate, row: Option<&DayRow>) -> bool {
    row.map(|r| r.is_open)
        .unwrap_or_else(|| is_open_by_default(day))
}

/// Whether staff may change their meal for `day` at `now`.
pub fn editable(
    day: NaiveDate,
    row: Option<&DayRow>,
    now: DateTime<Utc>,
    s: &Settings,
) -> Result<(), Lock> {
    if !is_open(day, row) {
        return Err(Lock::Closed(row.and_then(|r| r.reason.clone())));
    }
    let today = now.with_timezone(&business_offset()).date_naive();
    if day < today {
        return Err(Lock::Past);
    }
    if now >= cutoff_instant(day, s.cutoff) {
        return Err(Lock::PastCutoff);
    }
    if day > today + Duration::days(s.horizon_days) {
        return Err(Lock::BeyondHorizon);
    }
    if !row.is_some_and(|r| r.published) {
        return Err(Lock::Unpublished);
    }
    Ok(())
}

/// The i18n key of an absence kind.
pub fn absence_kind_key(kind: &str) -> &'static str {
    if kind == "business_trip" {
        "absence.business_trip"
    } else {
        "absence.leave"
    }
}

/// Monday of the week containing `d`.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// A standing order: which weekdays, which kind of option, and the lunar vegetarian wish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// ISO weekday numbers 1 (Monday) … 7 (Sunday).
    pub weekdays: Vec<u32>,
    pub prefer_vegetarian: bool,
    pub lunar_vegetarian: bool,
}

impl Standing {
    pub fn weekdays_text(&self) -> String {
        self.weekdays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn parse_weekdays(s: &str) -> Vec<u32> {
        let mut v: Vec<u32> = s
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .filter(|d| (1..=7).contains(d))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    /// Some(wants vegetarian) when this standing order yields a meal on `day`, which counts
    /// as the weekday of `as_day` (itself, or the weekday a make-up day replaces).
    pub fn wants(&self, day: NaiveDate, as_day: NaiveDate) -> Option<bool> {
        let wd = as_day.weekday().number_from_monday();
        if !self.weekdays.contains(&wd) {
            return None;
        }
        Some(
            self.prefer_vegetarian
                || (self.lunar_vegetarian && crate::canteen::lunar::is_first_or_fifteenth(day)),
        )
    }
}

/// A day's option as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionRef {
    pub id: i32,
    pub vegetarian: bool,
    pub position: i32,
}

/// The option a standing order takes: the first of the wanted kind; someone who does not ask
/// for vegetarian takes the first option when there is none of their kind, but a vegetarian
/// is never booked a meat meal (no meal that day; they can choose one themselves).
pub fn pick_option(options: &[OptionRef], vegetarian: bool) -> Option<i32> {
    let mut sorted: Vec<&OptionRef> = options.iter().collect();
    sorted.sort_by_key(|o| (o.position, o.id));
    sorted
        .iter()
        .find(|o| o.vegetarian == vegetarian)
        .or_else(|| sorted.first().filter(|_| !vegetarian))
        .map(|o| o.id)
}

pub const MAX_GUESTS: i32 = 20;

/// Guest count as typed: empty or 0 means none; 1–20 allowed.
pub fn parse_guests(s: &str) -> Result<i32, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(0);
    }
    match t.parse::<i32>() {
        Ok(n) if (0..=MAX_GUESTS).contains(&n) => Ok(n),
        _ => Err("order.err_guests"),
    }
}

/// Whether a served meal may still be rated (within 3 days of the service day).
pub fn can_rate(service_date: NaiveDate, today: NaiveDate) -> bool {
    service_date <= today && today - service_date <= Duration::days(3)
}

/// Whether a serve may still be undone (within 10 minutes).
pub fn can_undo(served_at: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> bool {
    now >= served_at && now - served_at <= Duration::minutes(10)
}

/// Checks an absence as typed: dates (dd/mm/yyyy), order, not over, at most a year, a known
/// kind, a short note. Returns the dates or every problem as (field, i18n key).
pub fn check_absence(
    start: &str,
    end: &str,
    kind: &str,
    note: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Vec<(&'static str, &'static str)>> {
    let mut p = Vec::new();
    let s = crate::ui::format::business_date(start);
    let e = crate::ui::format::business_date(end);
    if s.is_none() {
        p.push(("start", "people.err_date_format"));
    }
    if e.is_none() {
        p.push(("end", "people.err_date_format"));
    }
    if let (Some(s), Some(e)) = (s, e) {
        if e < s {
            p.push(("end", "absence.err_order"));
        } else if e < today {
            p.push(("end", "absence.err_past"));
        } else if e - s > Duration::days(366) {
            p.push(("end", "absence.err_too_long"));
        }
    }
    if !matches!(kind, "leave" | "business_trip") {
        p.push(("kind", "err.bad_form"));
    }
    if note.chars().count() > 200 {
        p.push(("note", "absence.err_note"));
    }
    match (s, e, p.is_empty()) {
        (Some(s), Some(e), true) => Ok((s, e)),
        _ => Err(p),
    }
}

/// Where a person's meal of the day stands at the counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterState {
    /// The meal or a walk-in was served.
    Served,
    /// A meal is ordered and not yet collected.
    Waiting,
    /// The meal was not collected by the close of service.
    NoShow,
    /// No meal (none ordered, or cancelled).
    Nothing,
}

/// Where a person's meal stands: a walk-in served, or the day's order by its status.
pub fn counter_state(walk_in: bool, order_status: Option<&str>) -> CounterState {
    use crate::canteen::ordering::{CANCELLED, NO_SHOW, SERVED};
    match order_status {
        _ if walk_in => CounterState::Served,
        Some(SERVED) => CounterState::Served,
        Some(NO_SHOW) => CounterState::NoShow,
        Some(CANCELLED) | None => CounterState::Nothing,
        Some(_) => CounterState::Waiting,
    }
}

/// What the counter shows after an action: the link says what the last action was
/// ("served", "already", "undone", "gone", "none", "no_show", "unknown"), but the meal's real
/// state wins, so a reloaded or hand-made link never shows "served" for someone who was not
/// served, nor "no meal" for someone whose meal is waiting ("waiting").
pub fn counter_outcome(asked: &str, state: CounterState) -> &str {
    use CounterState::*;
    match (asked, state) {
        ("served" | "already", Served)
        | ("undone" | "gone", Waiting | NoShow | Nothing)
        | ("none" | "unknown", Nothing)
        | ("no_show", NoShow) => asked,
        // A refusal is shown only with its reason (`counter_refusal`); without one, or for
        // anything else a link says, the state.
        (_, Served) => "already",
        (_, Waiting) => "waiting",
        (_, NoShow) => "no_show",
        (_, Nothing) => "none",
    }
}

/// The counter's own refusals, which its page shows on the person's card (`r=refused&m=…`);
/// any other text in a link shows nothing.
pub fn counter_refusal(key: &str) -> Option<&'static str> {
    [
        "counter.err_has_meal",
        "counter.err_no_walk_in",
        "counter.err_undo_late",
        "counter.err_gone",
        "order.err_unknown_option",
    ]
    .into_iter()
    .find(|k| *k == key)
}

/// Whether a counter refusal still holds for the person now: a link shows one only then.
pub fn counter_refusal_holds(
    key: &str,
    has_meal: bool,
    walk_ins_allowed: bool,
    undo_too_late: bool,
    gone: bool,
) -> bool {
    match key {
        "counter.err_has_meal" => has_meal,
        "counter.err_gone" => gone,
        "counter.err_no_walk_in" => !walk_ins_allowed,
        "counter.err_undo_late" => undo_too_late,
        _ => true,
    }
}

/// A day's waste record as typed, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct WasteFields {
    pub day: NaiveDate,
    pub prepared: i32,
    pub leftover: i32,
    pub note: String,
}

/// The waste form: a day not in the future, portions prepared 0–100.000, left over 0 to
/// prepared, a note of at most 500 characters.
pub fn check_waste(
    day: &str,
    prepared: &str,
    leftover: &str,
    note: &str,
    today: NaiveDate,
) -> Result<WasteFields, Vec<(&'static str, &'static str)>> {
    let mut p = Vec::new();
    let day = match crate::ui::format::business_date(day) {
        None => {
            p.push(("day", "cal.err_date"));
            None
        }
        Some(d) if d > today => {
            p.push(("day", "waste.err_future"));
            None
        }
        d => d,
    };
    let number = |s: &str| s.trim().parse::<i32>().ok();
    let prepared = number(prepared).filter(|n| (0..=100_000).contains(n));
    if prepared.is_none() {
        p.push(("prepared", "waste.err_number"));
    }
    let leftover = number(leftover).filter(|n| *n >= 0 && prepared.is_none_or(|pr| *n <= pr));
    if leftover.is_none() {
        p.push(("leftover", "waste.err_leftover"));
    }
    let note = note.trim().to_string();
    if note.chars().count() > 500 {
        p.push(("note", "waste.err_note"));
    }
    match (day, prepared, leftover) {
        (Some(day), Some(prepared), Some(leftover)) if p.is_empty() => Ok(WasteFields {
            day,
            prepared,
            leftover,
            note,
        }),
        _ => Err(p),
    }
}

/// Problems of a form, per field: (field name, i18n key).
pub type FieldProblems = Vec<(&'static str, &'static str)>;

/// The kitchen's "open a day" form: a business date, an optional reason of at most 100
/// characters.
pub fn check_opening(day: &str, reason: &str, makeup_for: &str) -> Result<Opening, FieldProblems> {
    let mut p = Vec::new();
    let day = crate::ui::format::business_date(day);
    if day.is_none() {
        p.push(("day", "cal.err_date"));
    }
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 100) {
        p.push(("reason", "cal.err_reason_long"));
    }
    let makeup_for = match makeup_for.trim() {
        "" => None,
        t => match crate::ui::format::business_date(t) {
            None => {
                p.push(("makeup_for", "cal.err_date"));
                None
            }
            Some(r) => {
                if let Some(d) = day {
                    if let Err(k) = check_makeup(d, r) {
                        p.push(("makeup_for", k));
                    }
                }
                Some(r)
            }
        },
    };
    match day {
        Some(day) if p.is_empty() => Ok(Opening {
            day,
            reason,
            makeup_for,
        }),
        _ => Err(p),
    }
}

/// A day to open, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct Opening {
    pub day: NaiveDate,
    pub reason: Option<String>,
    /// The weekday this make-up day replaces (its standing orders apply).
    pub makeup_for: Option<NaiveDate>,
}

/// The kitchen's "close days" form: a range of at most 31 days, a reason of 1–100 characters,
/// and the confirmation ticked. Problems come back per field (i18n keys).
pub fn check_closing(
    from: &str,
    to: &str,
    reason: &str,
    confirmed: bool,
) -> Result<(NaiveDate, NaiveDate), Vec<(&'static str, &'static str)>> {
    let mut p = Vec::new();
    let f = crate::ui::format::business_date(from);
    let t = crate::ui::format::business_date(to);
    if f.is_none() {
        p.push(("from", "cal.err_date"));
    }
    if t.is_none() {
        p.push(("to", "cal.err_date"));
    }
    if let (Some(f), Some(t)) = (f, t) {
        if t < f || t - f > Duration::days(31) {
            p.push(("to", "cal.err_range"));
        }
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        p.push(("reason", "cal.err_reason"));
    }
    if !confirmed {
        p.push(("confirm", "err.confirm_required"));
    }
    match (f, t) {
        (Some(f), Some(t)) if p.is_empty() => Ok((f, t)),
        _ => Err(p),
    }
}

/// A meal price typed by the kitchen: a well-formed amount (see `Vnd::parse`) of 0 (free) or
/// A meal option as the kitchen typed it, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct OptionFields {
    pub name: String,
    pub price: crate::money::Vnd,
    pub capacity: Option<i32>,
}

/// Checks a new option: a name of 2–60 characters (spaces tidied), a meal price, an optional
/// capacity. Problems come back per field (i18n keys).
pub fn check_option(
    name: &str,
    price: &str,
    capacity: &str,
) -> Result<OptionFields, Vec<(&'static str, &'static str)>> {
    let mut p = Vec::new();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=60).contains(&name.chars().count()) {
        p.push(("name", "menu.err_name"));
    }
    let price = meal_price(price).map_err(|k| p.push(("price", k))).ok();
    let capacity = parse_capacity(capacity)
        .map_err(|k| p.push(("capacity", k)))
        .ok();
    match (price, capacity) {
        (Some(price), Some(capacity)) if p.is_empty() => Ok(OptionFields {
            name,
            price,
            capacity,
        }),
        _ => Err(p),
    }
}

/// An option's capacity: empty (no limit) or 1–100.000 portions.
pub fn parse_capacity(capacity: &str) -> Result<Option<i32>, &'static str> {
    match capacity.trim() {
        "" => Ok(None),
        c => c
            .parse::<i32>()
            .ok()
            .filter(|c| (1..=100_000).contains(c))
            .map(Some)
            .ok_or("menu.err_capacity"),
    }
}

/// 1.000 to 10.000.000 đồng. A price below 1.000 ₫ is almost always "35" meant as 35.000 ₫, so
/// it is refused with a message saying so rather than saved.
pub fn meal_price(s: &str) -> Result<crate::money::Vnd, &'static str> {
    let v = crate::money::Vnd::parse(s).map_err(|_| "menu.err_price_format")?;
    match v.0 {
        0 | 1_000..=10_000_000 => Ok(v),
        1..=999 => Err("menu.err_price_low"),
        _ => Err("menu.err_price"),
    }
}

/// Lunch service starts at 11:00; the cut-off must leave the kitchen time to cook, and no
/// setting may let staff change a meal once service can have begun.
pub fn latest_cutoff() -> NaiveTime {
    NaiveTime::from_hms_opt(10, 30, 0).unwrap_or(NaiveTime::MIN)
}

/// The canteen settings form checked: cut-off, horizon of 1–60 days, walk-ins on or off.
pub fn check_settings(
    cutoff: &str,
    horizon: &str,
    walk_in: Option<&str>,
) -> Result<Settings, Vec<(&'static str, &'static str)>> {
    let mut p = Vec::new();
    let cutoff = parse_cutoff(cutoff).map_err(|k| p.push(("cutoff", k))).ok();
    let horizon = horizon
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (1..=60).contains(h));
    if horizon.is_none() {
        p.push(("horizon", "settings.err_horizon"));
    }
    match (cutoff, horizon) {
        (Some(cutoff), Some(horizon_days)) => Ok(Settings {
            cutoff,
            horizon_days,
            allow_walk_in: walk_in == Some("yes"),
        }),
        _ => Err(p),
    }
}

/// Parses a cut-off typed by the kitchen: "9:30", "09:30", "9h30", "9h" or "9.30" (hours
/// 0–23, minutes always two digits, so "10:3" is refused rather than read as 10:03), from
/// 05:00 up to `latest_cutoff()`.
pub fn parse_cutoff(s: &str) -> Result<NaiveTime, &'static str> {
    let bad = "settings.err_cutoff";
    let s = s.trim().to_lowercase();
    let (h, m) = match s.split_once([':', 'h', '.']) {
        Some((h, "")) if s.ends_with('h') => (h, "00"),
        Some((h, m)) => (h, m),
        None => return Err(bad),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return Err(bad);
    }
    let t = NaiveTime::from_hms_opt(h.parse().map_err(|_| bad)?, m.parse().map_err(|_| bad)?, 0)
        .ok_or(bad)?;
    let earliest = NaiveTime::from_hms_opt(5, 0, 0).unwrap_or(NaiveTime::MIN);
    if t < earliest || t > latest_cutoff() {
        return Err("settings.err_cutoff_range");
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_off_is_read_the_ways_people_write_times_and_never_guessed() {
        let t = |h, m| Ok(NaiveTime::from_hms_opt(h, m, 0).expect("time"));
        assert_eq!(parse_cutoff("09:30"), t(9, 30));
        assert_eq!(parse_cutoff(" 9:30 "), t(9, 30));
        assert_eq!(parse_cutoff("9h30"), t(9, 30));
        assert_eq!(parse_cutoff("9H"), t(9, 0));
        assert_eq!(parse_cutoff("9.30"), t(9, 30));
        for bad in [
            "10:3", "10", "10:300", "ab:cd", "9:3a", "", "24:00", "9:60", "h30", "9::30",
        ] {
            assert_eq!(parse_cutoff(bad), Err("settings.err_cutoff"), "{bad:?}");
        }
        assert_eq!(parse_cutoff("04:59"), Err("settings.err_cutoff_range"));
        assert_eq!(parse_cutoff("11:00"), Err("settings.err_cutoff_range"));
    }

    #[test]
    fn meal_prices_are_whole_dong_and_never_silently_a_thousand_times_off() {
        use crate::money::Vnd;
        assert_eq!(meal_price("35.000"), Ok(Vnd(35_000)));
        assert_eq!(meal_price("35000"), Ok(Vnd(35_000)));
        assert_eq!(meal_price("35.000 ₫"), Ok(Vnd(35_000)));
        assert_eq!(meal_price("0"), Ok(Vnd(0)));
        assert_eq!(meal_price("35"), Err("menu.err_price_low"));
        assert_eq!(meal_price("35.5"), Err("menu.err_price_format"));
        assert_eq!(meal_price("-35.000"), Err("menu.err_price"));
        assert_eq!(meal_price("20.000.000"), Err("menu.err_price"));
    }

    #[test]
    fn the_counter_shows_the_real_state_whatever_the_link_says() {
        use CounterState::*;
        assert_eq!(counter_outcome("served", Served), "served");
        assert_eq!(counter_outcome("served", Nothing), "none");
        assert_eq!(counter_outcome("served", Waiting), "waiting");
        assert_eq!(counter_outcome("already", Nothing), "none");
        assert_eq!(counter_outcome("undone", Served), "already");
        assert_eq!(counter_outcome("undone", Nothing), "undone");
        assert_eq!(counter_outcome("undone", Waiting), "undone");
        assert_eq!(counter_outcome("unknown", Nothing), "unknown");
        assert_eq!(counter_outcome("unknown", Waiting), "waiting");
        assert_eq!(counter_outcome("refused", Nothing), "none");
        assert_eq!(counter_outcome("refused", Served), "already");
        assert_eq!(counter_outcome("none", Waiting), "waiting");
        assert_eq!(counter_outcome("", Waiting), "waiting");
        assert_eq!(counter_outcome("", NoShow), "no_show");
        assert_eq!(counter_outcome("no_show", Nothing), "none");
        assert_eq!(counter_outcome("none", NoShow), "no_show");
        assert_eq!(counter_outcome("gone", Nothing), "gone");
        assert_eq!(counter_outcome("gone", Served), "already");
        assert_eq!(counter_outcome("bogus", Nothing), "none");
        assert_eq!(counter_outcome("bogus", Served), "already");
        assert_eq!(
            counter_refusal("counter.err_gone"),
            Some("counter.err_gone")
        );
        assert!(counter_refusal_holds(
            "counter.err_gone",
            false,
            true,
            false,
            true
        ));
        assert!(!counter_refusal_holds(
            "counter.err_gone",
            false,
            true,
            false,
            false
        ));
        assert_eq!(
            counter_refusal("counter.err_undo_late"),
            Some("counter.err_undo_late")
        );
        assert_eq!(counter_refusal("err.internal"), None);
        assert_eq!(counter_refusal("<script>"), None);
    }

    #[test]
    fn closing_days_names_each_problem_by_field() {
        assert_eq!(
            check_closing("01/12/2026", "02/12/2026", "Tết", true),
            Ok((d(2026, 12, 1), d(2026, 12, 2)))
        );
        let bad = check_closing("31/12/9999", "01/12/2026", "", false).unwrap_err();
        assert_eq!(
            bad,
            vec![
                ("from", "cal.err_date"),
                ("reason", "cal.err_reason"),
                ("confirm", "err.confirm_required")
            ]
        );
        let long = check_closing("01/01/2027", "15/02/2027", "Tết", true).unwrap_err();
        assert_eq!(long, vec![("to", "cal.err_range")]);
    }

    #[test]
    fn the_cut_off_must_fall_before_service() {
        assert!(parse_cutoff("09:00").is_ok());
        assert!(parse_cutoff("10:30").is_ok());
        assert_eq!(parse_cutoff("13:00"), Err("settings.err_cutoff_range"));
        assert_eq!(parse_cutoff("10:31"), Err("settings.err_cutoff_range"));
        assert_eq!(parse_cutoff("04:59"), Err("settings.err_cutoff_range"));
        assert_eq!(parse_cutoff("9 giờ"), Err("settings.err_cutoff"));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn published() -> DayRow {
        DayRow {
            is_open: true,
            reason: None,
            published: true,
            makeup_for: None,
        }
    }
    fn at_local(day: NaiveDate, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        cutoff_instant(day, NaiveTime::from_hms_opt(h, m, s).unwrap())
    }

    #[test]
    fn the_cutoff_is_nine_in_hanoi_inclusive_of_08_59_59() {
        let day = d(2026, 12, 1);
        let s = Settings::default();
        assert_eq!(
            editable(day, Some(&published()), at_local(day, 8, 59, 59), &s),
            Ok(())
        );
        assert_eq!(
            editable(day, Some(&published()), at_local(day, 9, 0, 0), &s),
            Err(Lock::PastCutoff)
        );
        // 09:00 in Hà Nội is 02:00 UTC.
        assert_eq!(
            cutoff_instant(day, s.cutoff),
            Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
        );
        // The next morning the day is simply over.
        assert_eq!(
            editable(
                day,
                Some(&published()),
                at_local(d(2026, 12, 2), 7, 0, 0),
                &s
            ),
            Err(Lock::Past)
        );
    }

    #[test]
    fn weekends_are_closed_unless_opened_and_closed_days_say_why() {
        let sat = d(2026, 12, 5);
        let now = at_local(d(2026, 12, 1), 8, 0, 0);
        let s = Settings::default();
        assert_eq!(editable(sat, None, now, &s), Err(Lock::Closed(None)));
        let makeup = DayRow {
            is_open: true,
            reason: Some("Làm bù".into()),
            published: true,
            makeup_for: None,
        };
        assert_eq!(editable(sat, Some(&makeup), now, &s), Ok(()));
        let holiday = DayRow {
            is_open: false,
            reason: Some("Tết".into()),
            published: true,
            makeup_for: None,
        };
        assert_eq!(
            editable(d(2026, 12, 2), Some(&holiday), now, &s),
            Err(Lock::Closed(Some("Tết".into())))
        );
        assert_eq!(
            editable(d(2026, 12, 2), None, now, &s),
            Err(Lock::Unpublished)
        );
    }

    #[test]
    fn days_beyond_the_horizon_cannot_be_ordered() {
        let now = at_local(d(2026, 12, 1), 8, 0, 0);
        let s = Settings::default();
        assert_eq!(
            editable(d(2026, 12, 15), Some(&published()), now, &s),
            Ok(())
        );
        assert_eq!(
            editable(d(2026, 12, 16), Some(&published()), now, &s),
            Err(Lock::BeyondHorizon)
        );
    }

    #[test]
    fn a_standing_order_with_lunar_vegetarian_days_wants_vegetarian_on_the_1st_and_15th() {
        let s = Standing {
            weekdays: vec![1, 2, 3, 4, 5],
            prefer_vegetarian: false,
            lunar_vegetarian: true,
        };
        assert_eq!(
            s.wants(d(2026, 12, 9), d(2026, 12, 9)),
            Some(true),
            "lunar 1/11"
        );
        assert_eq!(s.wants(d(2026, 12, 10), d(2026, 12, 10)), Some(false));
        assert_eq!(s.wants(d(2026, 12, 12), d(2026, 12, 12)), None, "Saturday");
        assert_eq!(
            s.wants(d(2026, 12, 12), d(2026, 12, 4)),
            Some(false),
            "a Saturday that makes up for Friday 04/12"
        );
    }

    #[test]
    fn the_standing_option_is_the_first_of_the_wanted_kind() {
        let opts = vec![
            OptionRef {
                id: 7,
                vegetarian: true,
                position: 1,
            },
            OptionRef {
                id: 5,
                vegetarian: false,
                position: 0,
            },
            OptionRef {
                id: 9,
                vegetarian: false,
                position: 2,
            },
        ];
        assert_eq!(pick_option(&opts, false), Some(5));
        assert_eq!(pick_option(&opts, true), Some(7));
        assert_eq!(
            pick_option(&opts[1..], true),
            None,
            "no vegetarian option: a vegetarian gets no meat meal"
        );
        assert_eq!(
            pick_option(&opts[..1], false),
            Some(7),
            "only a vegetarian option: anyone may eat it"
        );
        assert_eq!(pick_option(&[], true), None);
    }

    #[test]
    fn guest_counts_are_one_to_twenty() {
        assert_eq!(parse_guests(""), Ok(0));
        assert_eq!(parse_guests("20"), Ok(20));
        assert_eq!(parse_guests("21"), Err("order.err_guests"));
        assert_eq!(parse_guests("-1"), Err("order.err_guests"));
        assert_eq!(parse_guests("hai"), Err("order.err_guests"));
    }

    #[test]
    fn an_absence_needs_real_dates_in_order_not_over_and_at_most_a_year() {
        let today = d(2026, 11, 27);
        assert_eq!(
            check_absence("30/11/2026", "04/12/2026", "leave", "", today),
            Ok((d(2026, 11, 30), d(2026, 12, 4)))
        );
        assert_eq!(
            check_absence("04/12/2026", "30/11/2026", "leave", "", today),
            Err(vec![("end", "absence.err_order")])
        );
        assert_eq!(
            check_absence("01/11/2026", "20/11/2026", "leave", "", today),
            Err(vec![("end", "absence.err_past")])
        );
        assert_eq!(
            check_absence("01/12/2026", "03/12/2027", "leave", "", today),
            Err(vec![("end", "absence.err_too_long")])
        );
        assert_eq!(
            check_absence("mai", "31/02/2026", "holiday", &"x".repeat(201), today),
            Err(vec![
                ("start", "people.err_date_format"),
                ("end", "people.err_date_format"),
                ("kind", "err.bad_form"),
                ("note", "absence.err_note")
            ])
        );
    }

    #[test]
    fn weekdays_parse_sorted_and_bounded() {
        assert_eq!(Standing::parse_weekdays("5,1,1,9,x,3"), vec![1, 3, 5]);
    }

    #[test]
    fn a_new_option_needs_a_name_a_meal_price_and_a_sane_capacity() {
        let ok = check_option("  Suất   thường ", "35.000", "").expect("valid");
        assert_eq!(ok.name, "Suất thường");
        assert_eq!(ok.price, crate::money::Vnd(35_000));
        assert_eq!(ok.capacity, None);
        assert_eq!(
            check_option("Chay", "30000", "120").map(|o| o.capacity),
            Ok(Some(120))
        );
        assert_eq!(
            check_option("X", "35", "0"),
            Err(vec![
                ("name", "menu.err_name"),
                ("price", "menu.err_price_low"),
                ("capacity", "menu.err_capacity")
            ])
        );
    }

    #[test]
    fn allergens_are_kept_from_the_fixed_list_in_its_order() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            allergen_set(&v(&["milk", "gluten", "milk"])),
            Ok("gluten,milk".into())
        );
        assert_eq!(allergen_set(&v(&["tôm"])), Err("err.bad_form"));
        assert_eq!(
            allergen_union(["fish,milk", "gluten,fish", ""]),
            "gluten,fish,milk"
        );
        assert_eq!(
            allergen_clash("gluten,fish,milk", "fish,peanuts"),
            vec!["fish"]
        );
        assert!(allergen_clash("gluten", "").is_empty());
    }

    #[test]
    fn a_makeup_day_replaces_a_nearby_weekday() {
        let sat = d(2026, 12, 12);
        assert_eq!(check_makeup(sat, d(2026, 12, 4)), Ok(()));
        assert_eq!(
            check_makeup(sat, d(2026, 12, 6)),
            Err("cal.err_makeup_weekday")
        );
        assert_eq!(check_makeup(sat, d(2027, 2, 5)), Err("cal.err_makeup_far"));
        assert_eq!(
            check_makeup(d(2026, 12, 2), d(2026, 12, 1)),
            Err("cal.err_makeup_not_weekend"),
            "a Wednesday is open anyway"
        );
    }
}
