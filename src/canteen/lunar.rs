//! The Vietnamese lunar calendar (âm lịch), computed astronomically for UTC+7 after
//! Hồ Ngọc Đức's published algorithm (new moons and solar terms from Meeus' formulas).
//! Used for "vegetarian on the 1st and 15th" (mùng một, ngày rằm).

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

const TZ: f64 = 7.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LunarDate {
    pub day: u32,
    pub month: u32,
    pub year: i32,
    pub leap: bool,
}

fn jd_from_date(d: i64, m: i64, y: i64) -> i64 {
    let a = (14 - m) / 12;
    let y = y + 4800 - a;
    let m = m + 12 * a - 3;
    let jd = d + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045;
    if jd < 2_299_161 {
        d + (153 * m + 2) / 5 + 365 * y + y / 4 - 32083
    } else {
        jd
    }
}

/// Julian day (fractional) of the k-th new moon after 1 January 1900.
fn new_moon(k: f64) -> f64 {
    let t = k / 1236.85;
    let (t2, t3) = (t * t, t * t * t);
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - deltat
}

fn new_moon_day(k: i64) -> i64 {
    (new_moon(k as f64) + 0.5 + TZ / 24.0).floor() as i64
}

/// The sun's longitude as one of 12 sectors (0..11) at local midnight starting day `jdn`.
fn sun_sector(jdn: i64) -> i64 {
    let t = (jdn as f64 - 0.5 - TZ / 24.0 - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= PI * 2.0 * (l / (PI * 2.0)).floor();
    (l / PI * 6.0).floor() as i64
}

/// The day the 11th lunar month (containing the winter solstice) of year `yy` starts.
fn lunar_month_11(yy: i64) -> i64 {
    let off = jd_from_date(31, 12, yy) - 2_415_021;
    let k = (off as f64 / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k);
    if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

pub fn to_lunar(date: NaiveDate) -> LunarDate {
    let (dd, mm, yy) = (date.day() as i64, date.month() as i64, date.year() as i64);
    let day_number = jd_from_date(dd, mm, yy);
    let k = ((day_number as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut month_start = new_moon_day(k + 1);
    if month_start > day_number {
        month_start = new_moon_day(k);
    }
    let mut a11 = lunar_month_11(yy);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = lunar_month_11(yy - 1);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month_11(yy + 1);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        day: lunar_day as u32,
        month: lunar_month as u32,
        year: lunar_year as i32,
        leap,
    }
}

/// Mùng một or ngày rằm: the 1st or 15th of a lunar month.
pub fn is_first_or_fifteenth(date: NaiveDate) -> bool {
    matches!(to_lunar(date).day, 1 | 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_falls_on_the_known_days() {
        for (date, year) in [
            (d(2024, 2, 10), 2024),
            (d(2025, 1, 29), 2025),
            (d(2026, 2, 17), 2026),
            (d(2027, 2, 6), 2027),
        ] {
            assert_eq!(
                to_lunar(date),
                LunarDate {
                    day: 1,
                    month: 1,
                    year,
                    leap: false
                },
                "{date}"
            );
        }
        // The eve of Tết 2026 is the 29th of the 12th month of 2025.
        assert_eq!(
            to_lunar(d(2026, 2, 16)),
            LunarDate {
                day: 29,
                month: 12,
                year: 2025,
                leap: false
            }
        );
    }

    #[test]
    fn mid_autumn_and_a_leap_month_are_right() {
        assert_eq!(
            to_lunar(d(2025, 10, 6)),
            LunarDate {
                day: 15,
                month: 8,
                year: 2025,
                leap: false
            }
        );
        assert_eq!(
            to_lunar(d(2026, 9, 25)),
            LunarDate {
                day: 15,
                month: 8,
                year: 2026,
                leap: false
            }
        );
        // 2025 had a leap 6th month starting 25/07/2025.
        assert_eq!(
            to_lunar(d(2025, 7, 25)),
            LunarDate {
                day: 1,
                month: 6,
                year: 2025,
                leap: true
            }
        );
    }

    #[test]
    fn the_vegetarian_days_of_december_2026_are_the_lunar_1st_and_15th() {
        let days: Vec<u32> = (1..=31)
            .map(|x| d(2026, 12, x))
            .filter(|x| is_first_or_fifteenth(*x))
            .map(|x| x.day())
            .collect();
        assert_eq!(days, vec![9, 23]);
    }
}
