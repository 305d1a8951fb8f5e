//! Demo food-safety records: two ingredient suppliers with certificates (one running out
//! within 30 days), the three-step checks and samples of the last two weeks (one day with a
//! dish not sampled, one delivery failing the sensory check), one closed incident. Today's
//! dishes are checked during processing but not yet before serving, so the counter shows why.

use super::store::{self, Item, NewCertificate, NewDelivery, NewIncident, NewSample, Prep, Serve};
use crate::audit::Actor;
use crate::clock::Clock;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// A one-page PDF standing in for a scanned certificate.
const SCAN: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn user(c: &mut DbConn, name: &str) -> Result<Actor, AppError> {
    let u = crate::auth::store::by_username(c, name)?
        .ok_or_else(|| AppError::internal("demo kitchen account missing"))?;
    Ok(Actor::user(u.id, &u.username))
}

/// Hà Nội clock time on a day, as stored (UTC).
fn at(day: NaiveDate, h: u32, m: u32) -> Result<NaiveDateTime, AppError> {
    super::rules::time_on(day, &format!("{h:02}:{m:02}"))
        .ok_or_else(|| AppError::internal("demo time"))
}

fn item(name: &str, qty: &str, unit: &str, origin: &str, temp: Option<i32>, ok: bool) -> Item {
    Item {
        name: name.into(),
        quantity: qty.into(),
        unit: unit.into(),
        origin: origin.into(),
        lot_ref: String::new(),
        expiry: None,
        temperature_dt: temp,
        sensory_ok: ok,
        note: if ok {
            String::new()
        } else {
            "Dập nát, úng — trả lại nhà cung cấp".into()
        },
    }
}

pub fn load(c: &mut DbConn, clock: &Clock) -> Result<(), AppError> {
    use crate::suppliers::store as suppliers;
    let now = clock.now_naive();
    let today = clock.today();
    let cook = user(c, "bep")?;
    let head = user(c, "bepruong")?;
    let meat = suppliers::add_supplier(
        c,
        &head,
        now,
        "Công ty CP Thực phẩm sạch Tây Hồ",
        "0101234567",
        "Số 5 đường Lạc Long Quân, Tây Hồ, Hà Nội",
    )?;
    let greens = suppliers::add_supplier(
        c,
        &head,
        now,
        "HTX Rau an toàn Vân Nội",
        "0102345678",
        "Xã Vân Nội, Đông Anh, Hà Nội",
    )?;
    for (supplier, number, issuer, until) in [
        (
            meat,
            "125/2024/ATTP-CNĐK",
            "Ban Quản lý ATTP Hà Nội",
            today + Duration::days(400),
        ),
        (
            greens,
            "88/2023/NNPTNT-CNĐK",
            "Chi cục Quản lý chất lượng NLS và TS Hà Nội",
            today + Duration::days(20),
        ),
    ] {
        store::add_certificate(
            c,
            &head,
            now,
            &NewCertificate {
                supplier_id: supplier,
                number,
                issuer,
                valid_until: until,
                scan: Some(("chung-nhan.pdf", "application/pdf", SCAN)),
            },
        )?;
    }
    let mut days = Vec::new();
    let mut d = today - Duration::days(13);
    while d <= today {
        let dishes = store::dishes_of(c, d)?;
        if !dishes.is_empty() {
            days.push((d, dishes));
        }
        d += Duration::days(1);
    }
    // Served days, newest last: one fails a delivery, one misses a sample, one had an incident.
    let past: Vec<NaiveDate> = days.iter().map(|x| x.0).filter(|d| *d < today).collect();
    let back = |n: usize| past.len().checked_sub(n).and_then(|i| past.get(i)).copied();
    let (failing_day, unsampled_day, incident_day) = (back(4), back(2), back(7));
    for (day, dishes) in days {
        // Step 1: the morning's deliveries (dry goods on Mondays).
        let fresh_meat = vec![
            item(
                "Thịt lợn nạc vai",
                "12",
                "kg",
                "Lò mổ Trung Văn",
                Some(40),
                true,
            ),
            item(
                "Cá thu cắt khúc",
                "6,5",
                "kg",
                "Cảng cá Hạ Long",
                Some(-180),
                true,
            ),
            item("Thịt gà ta", "8", "kg", "Trại gà Sóc Sơn", Some(40), true),
        ];
        let fails = Some(day) == failing_day;
        let vegetables = vec![
            item("Rau muống", "10", "kg", "Vân Nội", None, true),
            item("Bí đỏ", "6", "kg", "Vân Nội", None, true),
            item("Cải ngọt", "5", "kg", "Vân Nội", None, !fails),
        ];
        for (supplier, hm, items, inv) in [
            (meat, (6, 30), fresh_meat, "PX-TH"),
            (greens, (6, 45), vegetables, "PX-VN"),
        ] {
            // Only what has happened by now (today's morning may be still to come).
            if at(day, hm.0, hm.1)? > now {
                continue;
            }
            store::record_delivery(
                c,
                &cook,
                now,
                &NewDelivery {
                    service_date: day,
                    supplier_id: supplier,
                    goods: "fresh".into(),
                    received_at: at(day, hm.0, hm.1)?,
                    invoice_ref: format!("{inv}-{}", day.format("%d%m")),
                    note: String::new(),
                    items,
                },
            )?;
        }
        if day.weekday() == chrono::Weekday::Mon && at(day, 7, 0)? <= now {
            let mut rice = item("Gạo Bắc Hương", "50", "kg", "Hải Hậu, Nam Định", None, true);
            rice.expiry = Some(day + Duration::days(180));
            rice.lot_ref = "L2611".into();
            let mut sauce = item("Nước mắm", "10", "lít", "Cát Hải, Hải Phòng", None, true);
            sauce.expiry = Some(day + Duration::days(365));
            store::record_delivery(
                c,
                &cook,
                now,
                &NewDelivery {
                    service_date: day,
                    supplier_id: meat,
                    goods: "dry".into(),
                    received_at: at(day, 7, 0)?,
                    invoice_ref: format!("PX-TH-K{}", day.format("%d%m")),
                    note: String::new(),
                    items: vec![rice, sauce],
                },
            )?;
        }
        // Step 2 for every dish; step 3 and samples only for days already served.
        for (i, dish) in dishes.iter().enumerate() {
            let m = 5 * i as u32;
            if at(day, 9, 30 + m)? > now {
                continue;
            }
            store::record_prep(
                c,
                &cook,
                now,
                day,
                &Prep {
                    dish_id: dish.id,
                    started_at: at(day, 7, 30 + m)?,
                    finished_at: at(day, 9, 30 + m)?,
                    people_ok: true,
                    tools_ok: true,
                    area_ok: true,
                    sensory_ok: true,
                    note: String::new(),
                    checked_by: 0,
                },
            )?;
            if day >= today {
                continue;
            }
            store::record_serve(
                c,
                &head,
                now,
                day,
                &Serve {
                    dish_id: dish.id,
                    ready_at: at(day, 10, 30 + i as u32)?,
                    covered_ok: true,
                    sensory_ok: true,
                    note: String::new(),
                    checked_by: 0,
                },
            )?;
            if Some(day) == unsampled_day && i + 1 == dishes.len() {
                continue;
            }
            store::take_sample(
                c,
                &cook,
                now,
                day,
                &NewSample {
                    dish_id: dish.id,
                    taken_at: at(day, 10, 50)?,
                    amount: if dish.liquid { 200 } else { 150 },
                    storage_dt: 40,
                    container: "Hộp inox có nắp, dán nhãn".into(),
                },
            )?;
        }
    }
    let Some(incident_day) = incident_day else {
        return Ok(());
    };
    let incident = store::report_incident(
        c,
        &head,
        now,
        &NewIncident {
            meal_date: incident_day,
            affected: 2,
            summary: "Hai cán bộ đau bụng nhẹ buổi chiều, nghi do món cá".into(),
            symptoms: "Đau bụng, buồn nôn nhẹ; không sốt".into(),
            people: "Cán bộ A — phòng Tổng hợp; Cán bộ B — phòng Tài chính (tự theo dõi tại nhà)"
                .into(),
        },
    )?;
    store::close_incident(
        c,
        &head,
        now,
        incident,
        "Kiểm nghiệm mẫu lưu món cá đạt; không liên quan bữa ăn tại bếp",
    )?;
    // Samples are discarded once due, except those of the last day served: still kept, due.
    let last_served = past.last().copied();
    for s in store::kept_samples(c)? {
        if Some(s.sample.service_date) != last_served && s.due_at <= now {
            store::discard_sample(c, &cook, now, s.sample.id, "")?;
        }
    }
    Ok(())
}
