//! My week as people use it: several tabs, the absence page in between, typing mistakes,
//! weekends and the ordering horizon.

use crate::support::*;
use canteen::auth::roles::Role;

fn day_key(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Lan has a meal on Monday to Friday of the week of 30/11 (first option) and a client on it.
async fn lan_eats_all_week(app: &TestApp) -> (Client, i32, Vec<chrono::NaiveDate>, Vec<Vec<i32>>) {
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    let page = lan.get("/week").await;
    let mut fields = page.form("/week");
    for (i, day) in days.iter().enumerate() {
        set_field(&mut fields, &key(*day), &ids[i][0].to_string());
    }
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), days);
    (lan, pid, days, ids)
}

fn option_on(app: &TestApp, pid: i32, day: chrono::NaiveDate) -> Option<i32> {
    app.orders_of(pid)
        .into_iter()
        .find(|o| o.0 == day && o.2 != "cancelled")
        .map(|o| o.1)
}

/// (option, count) of the person's guests of `day`, if any are booked.
fn guests_on(app: &TestApp, pid: i32, day: chrono::NaiveDate) -> Option<(i32, i32)> {
    use canteen::db::schema::guest_meals::dsl::*;
    use diesel::prelude::*;
    let mut c = app.state.db.read_conn().expect("c");
    guest_meals
        .filter(person_id.eq(pid))
        .filter(service_date.eq(day))
        .filter(status.ne("cancelled"))
        .select((option_id, guests))
        .get_result(&mut *c)
        .optional()
        .expect("guests")
}

#[actix_web::test]
async fn my_week_shows_for_a_name_that_ends_in_an_accented_letter_and_an_exclamation_mark() {
    let app = TestApp::spawn().await;
    let (mut lan, _, _, _) = lan_eats_all_week(&app).await;
    app.sql("UPDATE users SET display_name = 'Nguyễn Thị Lữ!' WHERE username = 'lan'");
    let page = lan.get("/week").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .texts("a[href=\"/password\"]")
        .iter()
        .any(|t| t == "Nguyễn Thị Lữ!"));
    assert!(page.has("form[action=\"/week\"] table.week"));
}

#[actix_web::test]
async fn a_stale_my_week_tab_does_not_undo_an_absence_declared_since() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, _) = lan_eats_all_week(&app).await;
    let stale = lan.get("/week").await.form("/week");
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "01/12/2026"),
                ("end", "02/12/2026"),
                ("kind", "business_trip"),
                ("note", "Hà Nội"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![days[0], days[3], days[4]]);
    // The old tab is saved as it was shown: nothing on it was changed, so nothing changes.
    let r = lan.post("/week", &refs(&stale)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[3], days[4]],
        "the trip days stay cancelled"
    );
    let page = lan.get("/week").await;
    let trip_row = page.texts(&format!("#d-{}", day_key(days[1])));
    assert!(
        trip_row[0].contains("Đi công tác"),
        "My week marks the trip: {trip_row:?}"
    );
}

#[actix_web::test]
async fn two_my_week_tabs_change_only_the_days_changed_on_each() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let mut tab_a = lan.get("/week").await.form("/week");
    let mut tab_b = lan.get("/week").await.form("/week");
    set_field(&mut tab_a, &key(days[0]), &ids[0][1].to_string());
    let r = lan.post("/week", &refs(&tab_a)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    set_field(&mut tab_b, &key(days[3]), "none");
    let r = lan.post("/week", &refs(&tab_b)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        option_on(&app, pid, days[0]),
        Some(ids[0][1]),
        "Monday keeps tab A's change"
    );
    assert_eq!(
        option_on(&app, pid, days[3]),
        None,
        "Thursday follows tab B"
    );
    assert_eq!(option_on(&app, pid, days[4]), Some(ids[4][0]));
}

#[actix_web::test]
async fn a_day_changed_in_two_tabs_is_a_conflict_showing_both_values_and_nothing_is_overwritten() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let mut tab_a = lan.get("/week").await.form("/week");
    let mut tab_b = lan.get("/week").await.form("/week");
    set_field(&mut tab_a, &key(days[0]), &ids[0][1].to_string());
    assert_eq!(lan.post("/week", &refs(&tab_a)).await.status, 303);
    set_field(&mut tab_b, &key(days[0]), "none");
    set_field(&mut tab_b, &key(days[2]), &ids[2][1].to_string());
    let r = lan.post("/week", &refs(&tab_b)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let monday = r.texts(&format!("#d-{} p.error", day_key(days[0])));
    assert!(
        monday[0].contains("thay đổi ở nơi khác")
            && monday[0].contains("Suất chay")
            && monday[0].contains("Không ăn"),
        "both values are shown: {monday:?}"
    );
    assert_eq!(
        option_on(&app, pid, days[0]),
        Some(ids[0][1]),
        "tab A's choice stands"
    );
    assert_eq!(
        option_on(&app, pid, days[2]),
        Some(ids[2][0]),
        "nothing at all was written"
    );
    // The page kept what she typed; saving it again is her informed choice.
    let again = r.form("/week");
    assert!(again.contains(&(key(days[2]), ids[2][1].to_string())));
    assert!(again.contains(&(key(days[0]), "none".to_string())));
    let r = lan.post("/week", &refs(&again)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[0]), None);
    assert_eq!(option_on(&app, pid, days[2]), Some(ids[2][1]));
}

#[actix_web::test]
async fn one_bad_guest_count_is_marked_alone_and_every_other_choice_stays_on_the_page() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &key(days[0]), &ids[0][1].to_string());
    set_field(&mut fields, &format!("guests_{}", day_key(days[1])), "25");
    set_field(&mut fields, &format!("guests_{}", day_key(days[2])), "2");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let banner = r.texts("p.alert");
    assert!(
        banner.iter().any(|b| b.contains("ô nhập chưa đúng")),
        "the banner speaks of input to correct: {banner:?}"
    );
    assert_eq!(
        r.texts("p.error").len(),
        1,
        "only Tuesday is marked: {:?}",
        r.texts("p.error")
    );
    assert!(r.has(&format!(
        "#g-{}[aria-invalid=true][value=\"25\"]",
        day_key(days[1])
    )));
    let kept = r.form("/week");
    assert!(kept.contains(&(key(days[0]), ids[0][1].to_string())));
    assert!(kept.contains(&(format!("guests_{}", day_key(days[2])), "2".to_string())));
    assert_eq!(
        option_on(&app, pid, days[0]),
        Some(ids[0][0]),
        "nothing saved"
    );
    // Corrected, the same page saves everything.
    let mut fixed = kept;
    set_field(&mut fixed, &format!("guests_{}", day_key(days[1])), "3");
    let r = lan.post("/week", &refs(&fixed)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[0]), Some(ids[0][1]));
}

#[actix_web::test]
async fn ordering_on_a_declared_absence_day_asks_for_confirmation_first() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "02/12/2026"),
                ("end", "02/12/2026"),
                ("kind", "leave"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[2]), None);
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &key(days[2]), &ids[2][0].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[2]), None, "not ordered unasked");
    let confirm = format!("confirm_{}", day_key(days[2]));
    assert!(r.has(&format!("input[type=checkbox][name=\"{confirm}\"]")));
    let mut fields = r.form("/week");
    set_field(&mut fields, &confirm, "yes");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[2]), Some(ids[2][0]));
}

#[actix_web::test]
async fn on_a_weekend_my_week_shows_every_day_up_to_the_ordering_horizon() {
    let app = TestApp::spawn().await;
    // Saturday 28/11; the horizon (14 days) reaches Saturday 12/12.
    app.clock().set(local(d(2026, 11, 28), 9, 0, 0));
    let far = week_of(d(2026, 12, 7));
    let ids = app.options(&far, &[REGULAR]);
    app.publish(d(2026, 12, 7));
    let (mut lan, pid) = app.staff("lan").await;
    let page = lan.get("/week").await;
    let fields = page.form("/week");
    for day in &far {
        assert!(
            fields.iter().any(|f| f.0 == key(*day)),
            "{day} can be ordered from My week: {:?}",
            page.texts("h2")
        );
    }
    assert!(
        page.texts("h2").iter().any(|h| h.contains("07/12/2026")),
        "{:?}",
        page.texts("h2")
    );
    let mut fields = fields;
    set_field(&mut fields, &key(far[4]), &ids[4][0].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![far[4]]);
}

#[actix_web::test]
async fn the_same_absence_again_updates_its_note_and_an_overlapping_one_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, _) = lan_eats_all_week(&app).await;
    lan.get("/absences").await;
    let declare = |start: &'static str, end: &'static str, note: &'static str| {
        [
            ("start", start),
            ("end", end),
            ("kind", "business_trip"),
            ("note", note),
        ]
    };
    let r = lan
        .post("/absences", &declare("01/12/2026", "02/12/2026", "Hà Nội"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = lan
        .post("/absences", &declare("01/12/2026", "02/12/2026", "Đà Nẵng"))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = lan.get("/absences").await;
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("Đà Nẵng"),
        "the new note is kept: {rows:?}"
    );
    let r = lan
        .post("/absences", &declare("02/12/2026", "03/12/2026", ""))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.has("tr.bad"), "the absence it overlaps is marked");
    assert!(r.texts(".error").iter().any(|e| e.contains("Trùng ngày")));
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[3], days[4]],
        "Thursday was not touched"
    );
    // A one-day absence: the same date twice.
    let r = lan
        .post("/absences", &declare("04/12/2026", "04/12/2026", ""))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.meal_days(pid), vec![days[0], days[3]]);
}

/// The admin edits a person's status on their page, as a browser would send the form.
async fn set_status(admin: &mut Client, pid: i32, status: &str, date: &str) {
    let page = admin.get(&format!("/people/{pid}/edit")).await;
    let mut fields = page.form(&format!("/people/{pid}"));
    assert!(!fields.is_empty(), "{}", page.body);
    set_field(&mut fields, "status", status);
    set_field(&mut fields, "status_date", date);
    let r = admin.post(&format!("/people/{pid}"), &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[actix_web::test]
async fn a_person_who_leaves_stops_eating_from_that_day_and_comes_back_if_it_is_undone() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    // She cancels Friday herself; that one is hers and never comes back.
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &key(days[4]), "none");
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);

    let mut admin = app
        .login_as("quantri", &[canteen::auth::roles::Role::Admin])
        .await;
    set_status(&mut admin, pid, "left", "02/12/2026").await;
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[1]],
        "no meals from Wednesday 02/12"
    );
    // Until that day she still signs in, but cannot order past it: those days are locked.
    let page = lan.get("/week").await;
    assert!(!page.form("/week").iter().any(|f| f.0 == key(days[3])));
    assert!(page.texts(&format!("#d-{}", day_key(days[3])))[0].contains("không còn làm việc"));
    let mut fields = page.form("/week");
    set_field(&mut fields, &key(days[3]), &ids[3][0].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r
        .texts(".error")
        .iter()
        .any(|e| e.contains("không còn làm việc")));
    let row = r.texts(&format!("#d-{}", day_key(days[3])))[0].clone();
    assert_eq!(
        row.matches("không còn làm việc").count(),
        1,
        "the refused day says why once (found by QA): {row}"
    );

    // Undone (a mistake): exactly the meals the leaving cancelled come back.
    set_status(&mut admin, pid, "working", "").await;
    assert_eq!(app.meal_days(pid), days[..4].to_vec());

    // Left again; on the day the account is closed and her session ends.
    set_status(&mut admin, pid, "left", "02/12/2026").await;
    assert_eq!(lan.get("/week").await.status, 200);
    app.clock().set(local(d(2026, 12, 2), 6, 0, 0));
    canteen::housekeeping(&app.state)
        .await
        .expect("housekeeping");
    let r = lan.get("/week").await;
    assert_eq!(r.status, 303, "signed out");
    let disabled: bool = {
        use canteen::db::schema::users::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        users
            .filter(person_id.eq(pid))
            .select(disabled)
            .get_result(&mut *c)
            .expect("user")
    };
    assert!(disabled, "her account is disabled");
}

#[actix_web::test]
async fn a_reinstated_person_gets_the_standing_meals_of_weeks_published_meanwhile_and_their_account_back(
) {
    let app = TestApp::spawn().await;
    let (mut lan, pid, _, _) = lan_eats_all_week(&app).await;
    lan.get("/standing").await;
    let days: Vec<(&str, &str)> = ["1", "2", "3", "4", "5"]
        .iter()
        .map(|d| ("weekday", *d))
        .collect();
    let mut form = days.clone();
    form.push(("action", "save"));
    assert_eq!(lan.post("/standing", &form).await.status, 303);
    let mut admin = app
        .login_as("quantri", &[canteen::auth::roles::Role::Admin])
        .await;
    // Left since yesterday: the account closes at once.
    set_status(&mut admin, pid, "left", "26/11/2026").await;
    assert!(app.meal_days(pid).is_empty());
    assert_eq!(lan.get("/week").await.status, 303, "signed out");
    // The kitchen publishes the next week meanwhile: no standing meals for her.
    let next = week_of(d(2026, 12, 7));
    app.options(&next, &[REGULAR]);
    app.publish(d(2026, 12, 7));
    assert!(app.meal_days(pid).is_empty());
    // A mistake: she never left.
    set_status(&mut admin, pid, "working", "").await;
    let meals = app.meal_days(pid);
    for day in &next {
        assert!(
            meals.contains(day),
            "{day} from her standing order: {meals:?}"
        );
    }
    let enabled: bool = {
        use canteen::db::schema::users::dsl::*;
        use diesel::prelude::*;
        let mut c = app.state.db.read_conn().expect("c");
        users
            .filter(person_id.eq(pid))
            .select(disabled)
            .get_result::<bool>(&mut *c)
            .map(|d| !d)
            .expect("user")
    };
    assert!(enabled, "the account the leaving closed is open again");
}

#[actix_web::test]
async fn declaring_the_same_absence_again_keeps_the_meals_chosen_since() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    lan.get("/absences").await;
    let trip = |note: &'static str| {
        [
            ("start", "01/12/2026"),
            ("end", "02/12/2026"),
            ("kind", "business_trip"),
            ("note", note),
        ]
    };
    assert_eq!(lan.post("/absences", &trip("Hà Nội")).await.status, 303);
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &key(days[1]), &ids[1][0].to_string());
    set_field(&mut fields, &format!("confirm_{}", day_key(days[1])), "yes");
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);
    lan.get("/absences").await;
    assert_eq!(
        lan.post("/absences", &trip("Hà Nội, họp")).await.status,
        303
    );
    assert_eq!(
        option_on(&app, pid, days[1]),
        Some(ids[1][0]),
        "the meal she confirmed on the trip stays"
    );
}

#[actix_web::test]
async fn a_ticked_absence_confirmation_survives_a_page_refused_for_another_day() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "02/12/2026"),
                ("end", "02/12/2026"),
                ("kind", "leave"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut fields = lan.get("/week").await.form("/week");
    let confirm = format!("confirm_{}", day_key(days[2]));
    set_field(&mut fields, &key(days[2]), &ids[2][0].to_string());
    set_field(&mut fields, &confirm, "yes");
    set_field(&mut fields, &format!("guests_{}", day_key(days[3])), "99");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422);
    assert!(
        r.has(&format!("input[name=\"{confirm}\"][checked]")),
        "still ticked"
    );
    let mut fields = r.form("/week");
    set_field(&mut fields, &format!("guests_{}", day_key(days[3])), "");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[2]), Some(ids[2][0]));
}

#[actix_web::test]
async fn the_host_chooses_what_their_guests_eat_even_on_a_day_they_do_not_eat() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let guest_row = |day| guests_on(&app, pid, day);
    let page = lan.get("/week").await;
    let gopt = |day| format!("gopt_{}", day_key(day));
    assert!(
        page.has(&format!("select[name=\"{}\"]", gopt(days[0]))),
        "a choice is offered"
    );
    let mut fields = page.form("/week");
    // Monday: she eats the regular meal, her two guests the vegetarian one.
    set_field(&mut fields, &format!("guests_{}", day_key(days[0])), "2");
    set_field(&mut fields, &gopt(days[0]), &ids[0][1].to_string());
    // Tuesday: she does not eat; one guest, vegetarian.
    set_field(&mut fields, &key(days[1]), "none");
    set_field(&mut fields, &format!("guests_{}", day_key(days[1])), "1");
    set_field(&mut fields, &gopt(days[1]), &ids[1][1].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(guest_row(days[0]), Some((ids[0][1], 2)));
    assert_eq!(guest_row(days[1]), Some((ids[1][1], 1)));
    assert_eq!(option_on(&app, pid, days[0]), Some(ids[0][0]));
    // Only the number of guests changed on the page (found by QA): they keep their option.
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &format!("guests_{}", day_key(days[0])), "5");
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);
    assert_eq!(guest_row(days[0]), Some((ids[0][1], 5)));
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &format!("guests_{}", day_key(days[1])), "3");
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);
    assert_eq!(guest_row(days[1]), Some((ids[1][1], 3)));
    // Only the guests' option changed on the page: it is saved.
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &format!("guests_{}", day_key(days[0])), "2");
    set_field(&mut fields, &gopt(days[0]), &ids[0][0].to_string());
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);
    assert_eq!(guest_row(days[0]), Some((ids[0][0], 2)));
    // Another day's option is refused.
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &gopt(days[2]), &ids[3][1].to_string());
    set_field(&mut fields, &format!("guests_{}", day_key(days[2])), "1");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(guest_row(days[2]), None);
}

/// Found by QA: a page that showed a day without guests offers the guests' option list at a
/// default (what the host eats). Saved later for another day, after guests were added to that
/// day in another tab or by the kitchen, it used to switch those guests to the default
/// option: a day the person never touched changed.
#[actix_web::test]
async fn a_stale_page_leaves_the_guests_of_a_day_it_did_not_touch_as_they_are() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let guest_row = |day| guests_on(&app, pid, day);
    let gopt = |day| format!("gopt_{}", day_key(day));
    let bep_id = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep_id).await;
    let behalf = format!("/kitchen/on-behalf/{pid}");
    let stale_tab = lan.get("/week").await.form("/week");
    let stale_kitchen = bep.get(&behalf).await.form(&behalf);
    // Another tab: two guests on Monday, eating the vegetarian option.
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &format!("guests_{}", day_key(days[0])), "2");
    set_field(&mut f, &gopt(days[0]), &ids[0][1].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    assert_eq!(guest_row(days[0]), Some((ids[0][1], 2)));
    let notices = app.count("notices");
    // The old tab changes Tuesday only; the kitchen's old page Wednesday only.
    let mut f = stale_tab;
    set_field(&mut f, &key(days[1]), "none");
    let r = lan.post("/week", &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[1]), None);
    let mut f = stale_kitchen;
    set_field(&mut f, &key(days[2]), &ids[2][1].to_string());
    let r = bep.post(&behalf, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(option_on(&app, pid, days[2]), Some(ids[2][1]));
    assert_eq!(
        guest_row(days[0]),
        Some((ids[0][1], 2)),
        "Monday's guests keep their option"
    );
    assert_eq!(
        app.count(&format!("notices WHERE service_date = '{}'", days[0])),
        0,
        "nothing to tell about Monday"
    );
    assert_eq!(app.count("notices"), notices + 1, "the kitchen's Wednesday");
    assert_eq!(
        app.count(&format!(
            "order_events WHERE kind = 'guests' AND service_date = '{}'",
            days[0]
        )),
        1,
        "Monday's guests changed once"
    );
}

#[actix_web::test]
async fn a_meal_booked_before_the_horizon_was_shortened_can_still_be_cancelled() {
    let app = TestApp::spawn().await;
    let far = week_of(d(2026, 12, 7));
    let ids = app.options(&far, &[REGULAR]);
    app.publish(d(2026, 12, 7));
    let (mut lan, pid) = app.staff("lan").await;
    let mut fields = lan.get("/week").await.form("/week");
    set_field(&mut fields, &key(far[4]), &ids[4][0].to_string());
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);

    // The kitchen shortens the horizon to 3 days: Friday 11/12 is beyond it now.
    let bep = app.user("bep", &[canteen::auth::roles::Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    bep.get("/kitchen/settings").await;
    let r = bep
        .post(
            "/kitchen/settings",
            &[("cutoff", "09:00"), ("horizon", "3"), ("walk_in", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = lan.get("/week").await;
    let mut fields = page.form("/week");
    assert!(
        fields.iter().any(|f| f.0 == key(far[4])),
        "the booked day is still open to change"
    );
    assert!(
        !fields.iter().any(|f| f.0 == key(far[3])),
        "a day without a meal beyond the horizon stays closed"
    );
    set_field(&mut fields, &key(far[4]), "none");
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app.meal_days(pid).is_empty());
    // Once cancelled, the day is beyond the horizon like the others.
    let fields = lan.get("/week").await.form("/week");
    assert!(!fields.iter().any(|f| f.0 == key(far[4])));
}

/// My week keeps the coming weeks' menus in memory between pages; a change made anywhere —
/// another server, a script, the database's owner — must show on the very next page.
#[actix_web::test]
async fn my_week_shows_a_menu_calendar_or_settings_change_made_anywhere_on_the_next_page() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let (mut lan, pid) = app.staff("lan").await;
    let page = lan.get("/week").await;
    assert!(page.body.contains("Suất thường"), "{}", page.body);
    let rows_before = page.texts("table.week tbody tr").len();
    assert!(page.has(&format!("input[name=\"{}\"]", key(days[1]))));

    // Renamed and repriced outside the app.
    app.sql(&format!(
        "UPDATE meal_options SET name = 'Bún chả Hà Nội', price_vnd = 41000 WHERE id = {}",
        ids[0][0]
    ));
    let page = lan.get("/week").await;
    assert!(page.body.contains("Bún chả Hà Nội"), "{}", page.body);
    assert!(page.body.contains("41.000"), "{}", page.body);

    // A day closed outside the app: no choice on it any more.
    app.sql(&format!(
        "UPDATE service_days SET is_open = FALSE, reason = 'Mất điện' WHERE service_date = '{}'",
        day_key(days[1])
    ));
    let page = lan.get("/week").await;
    assert!(
        !page.has(&format!("input[name=\"{}\"]", key(days[1]))),
        "{}",
        page.body
    );

    // A longer ordering horizon set outside the app: more days on the grid.
    app.sql(
        "DELETE FROM settings WHERE key = 'canteen.horizon_days';
         INSERT INTO settings (key, value) VALUES ('canteen.horizon_days', '30');",
    );
    let page = lan.get("/week").await;
    assert!(
        page.texts("table.week tbody tr").len() > rows_before,
        "{}",
        page.body
    );

    // Repriced outside the app after the page was loaded: the choice is shown again with the
    // new price first, then booked at it.
    let mut fields = page.form("/week");
    app.sql(&format!(
        "UPDATE meal_options SET price_vnd = 43000 WHERE id = {}",
        ids[0][0]
    ));
    set_field(&mut fields, &key(days[0]), &ids[0][0].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let row = r.texts(&format!("#d-{}", day_key(days[0]))).join(" ");
    assert!(
        row.contains("43.000") && row.contains("thay đổi thực đơn"),
        "{row}"
    );
    let r = lan.post("/week", &refs(&r.form("/week"))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let booked: Vec<i64> = app
        .orders_of(pid)
        .into_iter()
        .filter(|o| o.0 == days[0])
        .map(|o| o.3)
        .collect();
    assert_eq!(booked, vec![43_000]);
}

/// Lan's stored meal of `day` (the whole row).
fn row_of(app: &TestApp, pid: i32, day: chrono::NaiveDate) -> canteen::canteen::ordering::Order {
    let mut c = app.state.db.read_conn().expect("conn");
    canteen::canteen::ordering::orders_of(&mut c, pid, day, day)
        .expect("orders")
        .pop()
        .expect("a row")
}

#[actix_web::test]
async fn a_week_submission_stores_each_changed_meal_as_a_change_of_that_day_alone_would() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let pid = app.person("LAN", "Cán bộ Lan");
    let uid = app.user_full("lan", &[Role::Staff], Some(pid), false);
    let mut lan = app.session_for(uid).await;
    let mut f = lan.get("/week").await.form("/week");
    for (i, day) in days.iter().enumerate() {
        set_field(&mut f, &key(*day), &ids[i][0].to_string());
    }
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let booked_at = app.clock().now_naive();

    // One submission: Monday to the vegetarian meal, Tuesday and Wednesday cancelled.
    app.clock().advance(chrono::Duration::minutes(5));
    let at = app.clock().now_naive();
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[0]), &ids[0][1].to_string());
    set_field(&mut f, &key(days[1]), "none");
    set_field(&mut f, &key(days[2]), "none");
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let mon = row_of(&app, pid, days[0]);
    assert_eq!(
        (
            mon.option_id,
            mon.price_vnd.0,
            mon.status.as_str(),
            mon.source.as_str()
        ),
        (ids[0][1], 30_000, "ordered", "staff"),
        "Monday: the new choice at its price"
    );
    assert_eq!((mon.cancel_cause, mon.updated_by), (None, Some(uid)));
    assert_eq!(
        mon.updated_at.and_utc().timestamp(),
        at.and_utc().timestamp()
    );
    for day in [days[1], days[2]] {
        let o = row_of(&app, pid, day);
        assert_eq!(
            (
                o.option_id,
                o.price_vnd.0,
                o.status.as_str(),
                o.cancel_cause.as_deref()
            ),
            (
                ids[(day - days[0]).num_days() as usize][0],
                35_000,
                "cancelled",
                Some("self")
            ),
            "{day}: cancelled by Lan, the meal it was kept"
        );
        assert_eq!(o.updated_by, Some(uid));
        assert_eq!(o.updated_at.and_utc().timestamp(), at.and_utc().timestamp());
    }
    let thu = row_of(&app, pid, days[3]);
    assert_eq!(
        thu.updated_at.and_utc().timestamp(),
        booked_at.and_utc().timestamp(),
        "an unchanged day is not written"
    );

    // The kitchen books Tuesday again for her and cancels Thursday: their cause and source.
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut kitchen = app.session_for(bep).await;
    let url = format!("/kitchen/on-behalf/{pid}");
    let mut f = kitchen.get(&url).await.form(&url);
    set_field(&mut f, &key(days[1]), &ids[1][1].to_string());
    set_field(&mut f, &key(days[3]), "none");
    let r = kitchen.post(&url, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let tue = row_of(&app, pid, days[1]);
    assert_eq!(
        (
            tue.option_id,
            tue.status.as_str(),
            tue.source.as_str(),
            tue.cancel_cause,
            tue.updated_by
        ),
        (ids[1][1], "ordered", "kitchen", None, Some(bep))
    );
    let thu = row_of(&app, pid, days[3]);
    assert_eq!(
        (
            thu.status.as_str(),
            thu.source.as_str(),
            thu.cancel_cause.as_deref(),
            thu.updated_by
        ),
        ("cancelled", "staff", Some("kitchen"), Some(bep)),
        "a cancellation keeps who booked the meal"
    );
    // Lan cancels the meal the kitchen booked: still the kitchen's booking, cancelled by her.
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(days[1]), "none");
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let tue = row_of(&app, pid, days[1]);
    assert_eq!(
        (
            tue.option_id,
            tue.status.as_str(),
            tue.source.as_str(),
            tue.cancel_cause.as_deref()
        ),
        (ids[1][1], "cancelled", "kitchen", Some("self"))
    );
    crate::stats::summaries_equal_a_recomputation(&app, "after the week and the kitchen's changes");
}

/// PostgreSQL restarted (or a network device dropped idle connections): every connection the
/// server keeps in its pool is closed under it. Pages and saves go on without an error page:
/// a read runs again on another connection, a write whose BEGIN failed too.
#[actix_web::test]
async fn my_week_and_its_save_work_after_the_database_closed_every_pooled_connection() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != canteen::db::Backend::Postgres {
        return;
    }
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    for round in 0..2 {
        fill_the_pool_then_close_it(&app);
        let page = lan.get("/week").await;
        assert_eq!(page.status, 200, "round {round}: {}", page.body);
        let mut f = page.form("/week");
        let choice = ids[round][1];
        set_field(&mut f, &key(days[round]), &choice.to_string());
        if round == 1 {
            // The save is the first request after the closing: its session read meets the
            // closed connections.
            close_the_apps_connections(&app);
        }
        let r = lan.post("/week", &refs(&f)).await;
        assert_eq!(r.status, 303, "round {round}: {}", r.body);
        assert_eq!(option_on(&app, pid, days[round]), Some(choice));
    }
    // A write that is the first to meet the closed connections (a background task's, or one
    // whose session was read before the closing) begins again on another and is saved once.
    fill_the_pool_then_close_it(&app);
    let now = app.clock().now_naive();
    app.state
        .db
        .write(move |c| {
            canteen::people::store::create_unit(
                c,
                &canteen::audit::Actor::system("test"),
                now,
                "U9",
                "Đơn vị 9",
                None,
            )
        })
        .await
        .expect("saved after the closing");
    assert_eq!(app.count("units WHERE code = 'U9'"), 1);
}

/// Every connection the app's pool may hold opened and put back idle, then all closed from
/// the database's side (waiting until each is gone).
fn fill_the_pool_then_close_it(app: &TestApp) {
    {
        let mut held = Vec::new();
        for _ in 0..app.state.config.read_pool_size {
            let mut c = app.state.db.read_conn().expect("conn");
            diesel::connection::SimpleConnection::batch_execute(&mut *c, "SELECT 1")
                .expect("a live connection");
            held.push(c);
        }
    }
    close_the_apps_connections(app);
}

fn close_the_apps_connections(app: &TestApp) {
    app.sql(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
         WHERE application_name = current_setting('application_name') \
         AND pid <> pg_backend_pid()",
    );
}

/// The reminder about tomorrow is for someone who has not decided: it shows while tomorrow has
/// no meal at all, not once the person ordered, nor after they cancelled it ("Không ăn").
#[actix_web::test]
async fn the_reminder_about_tomorrow_goes_once_the_person_orders_or_cancels() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR]);
    app.publish(d(2026, 11, 30));
    app.clock().set(local(d(2026, 11, 30), 8, 0, 0));
    let tue = d(2026, 12, 1);
    let (mut lan, _) = app.staff("lan").await;
    let reminder = |page: &crate::support::Resp| {
        page.texts("p.alert")
            .iter()
            .any(|t| t.starts_with("Bạn chưa báo cơm cho ngày mai"))
    };
    let page = lan.get("/week").await;
    assert!(
        reminder(&page),
        "nothing ordered: {:?}",
        page.texts("p.alert")
    );
    // Guests only (no meal for herself): decided too. Then the guests go again.
    let guests = format!("guests_{}", tue.format("%Y-%m-%d"));
    let mut f = page.form("/week");
    set_field(&mut f, &guests, "2");
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let page = lan.get("/week").await;
    assert!(!reminder(&page), "guests: {:?}", page.texts("p.alert"));
    let mut f = page.form("/week");
    set_field(&mut f, &guests, "0");
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    assert!(
        reminder(&lan.get("/week").await),
        "nothing for the day again"
    );
    let r = lan
        .post("/week", &[(&key(tue), &ids[1][0].to_string())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!reminder(&lan.get("/week").await), "ordered");
    let r = lan.post("/week", &[(&key(tue), "none")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("orders WHERE status = 'cancelled'"), 1);
    let page = lan.get("/week").await;
    assert!(!reminder(&page), "cancelled: {:?}", page.texts("p.alert"));
}

/// Found by QA: a tab that only chose another option for the day's guests, saved after
/// another tab had removed those guests, came back as saved with nothing written. It is a
/// change made on what is gone: refused as changed elsewhere, showing both, nothing written.
#[actix_web::test]
async fn a_guests_option_chosen_for_guests_removed_in_another_tab_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, ids) = lan_eats_all_week(&app).await;
    let gopt = |day| format!("gopt_{}", day_key(day));
    let guests = |day| format!("guests_{}", day_key(day));
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &guests(days[0]), "2");
    set_field(&mut f, &gopt(days[0]), &ids[0][0].to_string());
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    let mut tab_a = lan.get("/week").await.form("/week");
    let mut tab_b = lan.get("/week").await.form("/week");
    set_field(&mut tab_a, &guests(days[0]), "0");
    assert_eq!(lan.post("/week", &refs(&tab_a)).await.status, 303);
    assert_eq!(guests_on(&app, pid, days[0]), None);
    let events = app.count("order_events");
    set_field(&mut tab_b, &gopt(days[0]), &ids[0][1].to_string());
    let r = lan.post("/week", &refs(&tab_b)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("thay đổi ở nơi khác"),
        "{:?}",
        r.texts("p.error")
    );
    assert_eq!(guests_on(&app, pid, days[0]), None);
    assert_eq!(app.count("order_events"), events, "nothing written");
}

/// My week reads the session in the same statement as the person's rows (#10: one round trip
/// on PostgreSQL instead of two). The session rules of every page hold there too: the menu
/// follows the user's roles, the page's own form token is accepted, one person never sees
/// another's meals, a disabled user's session ends, a one-time password is sent to be
/// changed, an account without a person is told so, and using the page keeps the idle clock
/// until thirty idle minutes end the session.
#[actix_web::test]
async fn my_week_checks_the_session_as_every_page_does() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, VEG]);
    app.publish(d(2026, 11, 30));
    let lan_p = app.person("LAN", "Cán bộ Lan");
    let lan_u = app.user_full("lan", &[Role::Staff, Role::Kitchen], Some(lan_p), false);
    let mut lan = app.session_for(lan_u).await;
    let (mut minh, minh_p) = app.staff("minh").await;

    // Lan orders the vegetarian meal on Wednesday with her page's form; Minh orders nothing.
    let page = lan.get("/week").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.has("a[href='/kitchen/counter']"),
        "Lan's kitchen role is in the menu"
    );
    let mut fields = page.form("/week");
    set_field(&mut fields, &key(days[2]), &ids[2][1].to_string());
    let r = lan.post("/week", &refs(&fields)).await;
    assert_eq!(
        r.status, 303,
        "the page's form token is the session's: {}",
        r.body
    );
    assert_eq!(app.meal_days(lan_p), vec![days[2]]);
    let veg = format!(
        "input[name='{}'][value='{}'][checked]",
        key(days[2]),
        ids[2][1]
    );
    assert!(lan.get("/week").await.has(&veg), "Lan sees her meal");
    let page = minh.get("/week").await;
    assert_eq!(page.status, 200);
    assert!(
        page.has(&format!("input[name='{}']", key(days[2]))),
        "{}",
        page.body
    );
    assert!(!page.has(&veg), "Minh does not see Lan's meal");
    assert!(
        !page.has("a[href='/kitchen/counter']"),
        "Minh is not in the kitchen"
    );
    assert!(app.meal_days(minh_p).is_empty());

    // A disabled user's open session ends on My week, and is deleted.
    app.sql("UPDATE users SET disabled = TRUE WHERE username = 'minh'");
    let before = app.count("sessions");
    let r = minh.get("/week").await;
    assert_eq!(r.status, 303, "the disabled user's session ended");
    assert!(r.location().starts_with("/login"), "{}", r.location());
    assert_eq!(app.count("sessions"), before - 1);

    // A one-time password is changed first; an account without a person is told so.
    let nga_p = app.person("NGA", "Cán bộ Nga");
    app.user_full("nga", &[Role::Staff], Some(nga_p), true);
    let mut nga = app.client();
    nga.login("nga", PASSWORD).await;
    let r = nga.get("/week").await;
    assert_eq!(r.status, 303);
    assert!(r.location().starts_with("/password"), "{}", r.location());
    let mut admin = app.login_as("quantri", &[Role::Staff, Role::Admin]).await;
    let r = admin.get("/week").await;
    assert!(
        r.body.contains("chưa gắn với hồ sơ cán bộ"),
        "{} {}",
        r.status,
        r.body
    );

    // Without a session, or with a made-up one, My week asks to log in.
    for cookie in [None, Some("0".repeat(64))] {
        let mut c = app.client();
        if let Some(v) = cookie {
            c.cookies.insert("canteen_session".into(), v);
        }
        let r = c.get("/week").await;
        assert_eq!(r.status, 303);
        assert!(r.location().starts_with("/login"), "{}", r.location());
    }

    // Using My week keeps the idle clock; thirty idle minutes end the session.
    app.clock().advance(chrono::Duration::minutes(29));
    assert_eq!(lan.get("/week").await.status, 200);
    app.clock().advance(chrono::Duration::minutes(29));
    assert_eq!(
        lan.get("/week").await.status,
        200,
        "the last visit kept it alive"
    );
    app.clock().advance(chrono::Duration::minutes(31));
    let r = lan.get("/week").await;
    assert_eq!(r.status, 303, "idle too long");
    assert!(r.location().starts_with("/login"), "{}", r.location());
}

/// My week counts the places left of an option with a capacity for every reader: the grid
/// built from the rows read with the session asks the database for the count (#10).
#[actix_web::test]
async fn my_week_shows_the_places_left_of_an_option_with_a_capacity() {
    let app = TestApp::spawn().await;
    let days = week_of(d(2026, 11, 30));
    let ids = app.options(&days, &[REGULAR, ("Suất đặc biệt", 50_000, Some(2), false)]);
    app.publish(d(2026, 11, 30));
    let (mut lan, _) = app.staff("lan").await;
    let (mut minh, _) = app.staff("minh").await;
    // How many of the week's special options show this text.
    let showing = |p: &Resp, text: &str| {
        p.texts("label")
            .iter()
            .filter(|l| l.contains("Suất đặc biệt") && l.contains(text))
            .count()
    };
    let page = minh.get("/week").await;
    assert_eq!(
        showing(&page, "còn 2 suất"),
        days.len(),
        "{:?}",
        page.texts("label")
    );
    for (c, text) in [(&mut lan, "còn 1 suất"), (&mut minh, "Hết chỗ")] {
        let page = c.get("/week").await;
        let mut fields = page.form("/week");
        set_field(&mut fields, &key(days[2]), &ids[2][1].to_string());
        let r = c.post("/week", &refs(&fields)).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(showing(&c.get("/week").await, text), 1, "{text}");
    }
    let (mut nga, _) = app.staff("nga").await;
    let page = nga.get("/week").await;
    assert_eq!(showing(&page, "Hết chỗ"), 1);
    assert_eq!(showing(&page, "còn 2 suất"), days.len() - 1);
    assert!(page.has(&format!("input[value='{}'][disabled]", ids[2][1])));
}

/// The statement that reads a session with its person's week (My week on PostgreSQL, #10)
/// gives what the two reads it replaces give, on either database: the session, its user and
/// roles as the session check reads them, and the person's rows as the grid reads them.
#[actix_web::test]
async fn a_session_read_with_its_persons_week_is_what_the_two_reads_give() {
    use canteen::canteen::orders::store;
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, _) = lan_eats_all_week(&app).await;
    lan.get("/absences").await;
    let r = lan
        .post(
            "/absences",
            &[
                ("start", "03/12/2026"),
                ("end", "04/12/2026"),
                ("kind", "business_trip"),
                ("note", "Hà Nội"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.sql(&format!(
        "INSERT INTO user_roles (user_id, role) SELECT id, 'kitchen' FROM users WHERE person_id = {pid}"
    ));
    let token = lan.cookies.get("canteen_session").expect("session").clone();
    let (backend, target) = canteen::db::parse_url(&app.database_url).expect("url");
    let mut c = canteen::db::open(backend, &target).expect("connection");
    let (from, to) = (days[0], days[0] + chrono::Duration::days(20));
    let (loaded, week) = store::session_week(&mut c, &token, from, to).expect("joined read");
    let loaded = loaded.expect("the session");
    let alone = canteen::auth::session::load(&mut c, &token)
        .expect("session read")
        .expect("the session");
    assert_eq!(format!("{:?}", loaded.user), format!("{:?}", alone.user));
    assert!(loaded.user.has(Role::Kitchen) && loaded.user.has(Role::Staff));
    assert_eq!(loaded.user.person_id, Some(pid));
    assert_eq!(
        (loaded.created_at, loaded.last_seen_at, loaded.disabled),
        (alone.created_at, alone.last_seen_at, alone.disabled)
    );
    let own = store::person_week(&mut c, pid, from, to).expect("week read");
    assert_eq!(week.absences.len(), 1);
    assert!(week.status.is_some());
    assert_eq!(format!("{week:?}"), format!("{own:?}"));

    // No such session: nothing of anyone's week, only the menu counter.
    let (none, empty) = store::session_week(&mut c, &"0".repeat(64), from, to).expect("read");
    assert!(none.is_none());
    assert!(empty.meals.is_empty() && empty.status.is_none());
    assert_eq!(empty.menu_version, own.menu_version);
}

/// A person who retires stops eating at work from that day, as one who leaves does (QA found a
/// retiree still on the kitchen's lists and charged in cash), but keeps the account; their
/// standing order books nothing in weeks published afterwards.
#[actix_web::test]
async fn a_person_who_retires_stops_eating_from_that_day_and_their_standing_order_books_nothing() {
    let app = TestApp::spawn().await;
    let (mut lan, pid, days, _) = lan_eats_all_week(&app).await;
    // She eats every weekday by standing order.
    let mut form: Vec<(&str, &str)> = ["1", "2", "3", "4", "5"]
        .iter()
        .map(|d| ("weekday", *d))
        .collect();
    form.push(("action", "save"));
    lan.get("/standing").await;
    assert_eq!(lan.post("/standing", &form).await.status, 303);
    let mut admin = app
        .login_as("quantri", &[canteen::auth::roles::Role::Admin])
        .await;
    set_status(&mut admin, pid, "retired", "02/12/2026").await;
    assert_eq!(
        app.meal_days(pid),
        vec![days[0], days[1]],
        "no meals from Wednesday 02/12"
    );
    assert_eq!(lan.get("/week").await.status, 200, "the account stays");
    // Her standing order books nothing once the next week is published.
    let next = week_of(d(2026, 12, 7));
    app.options(&next, &[REGULAR]);
    app.publish(d(2026, 12, 7));
    assert_eq!(app.meal_days(pid), vec![days[0], days[1]]);
}
