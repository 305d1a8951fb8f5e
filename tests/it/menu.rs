//! Menu safety and the kitchen's edits: options hold catalogue dishes, allergens from a fixed
//! list reach staff, vegetarian options hold only vegetarian dishes, published options can be
//! edited with their rules, people are told when someone else changed their meal, and make-up
//! days follow the standing orders of the weekday they replace.

use crate::support::*;
use canteen::auth::roles::Role;

async fn kitchen(app: &TestApp) -> Client {
    let id = app.user("bep", &[Role::Kitchen]);
    app.session_for(id).await
}

fn add_form<'a>(
    date: &'a str,
    name: &'a str,
    veg: bool,
    dishes: &'a [String],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("date", date), ("name", name), ("price", "30.000")];
    if veg {
        f.push(("vegetarian", "yes"));
    }
    for d in dishes {
        f.push(("dish", d.as_str()));
    }
    f
}

#[actix_web::test]
async fn a_vegetarian_option_cannot_hold_fish_and_an_option_needs_a_dish() {
    let app = TestApp::spawn().await;
    let fish = app.dish("Cá thu sốt cà chua", false, "fish").to_string();
    let tofu = app.dish("Đậu phụ sốt cà chua", true, "soy").to_string();
    let soup = app.dish("Canh bí đỏ", true, "").to_string();
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/menu?week=2026-11-30").await;

    let with_fish = [tofu.clone(), fish.clone()];
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-01", "Suất chay", true, &with_fish),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.texts("fieldset.checks .error")
            .join(" ")
            .contains("chỉ được gồm các món chay"),
        "the message is beside the dishes: {}",
        r.body
    );
    assert!(r.body.contains("value=\"Suất chay\""), "the input is kept");
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-01", "Suất chay", true, &[]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("ít nhất một món"), "{}", r.body);
    assert_eq!(app.count("meal_options"), 0, "nothing was saved");

    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-01", "Suất chay", true, &[tofu.clone(), soup]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("option_dishes"), 2);
    assert_eq!(
        app.count(
            "meal_options WHERE allergens = 'soy' AND dishes = 'Đậu phụ sốt cà chua · Canh bí đỏ'"
        ),
        1
    );

    // The dish in it cannot become meat while the option is ahead.
    bep.get(&format!("/kitchen/dishes/{tofu}")).await;
    let r = bep
        .post(
            &format!("/kitchen/dishes/{tofu}"),
            &[
                ("name", "Đậu phụ nhồi thịt"),
                ("allergen", "soy"),
                ("active", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("phải giữ là món chay"), "{}", r.body);
    assert_eq!(app.count("dishes WHERE name = 'Đậu phụ nhồi thịt'"), 0);
}

#[actix_web::test]
async fn dishes_take_allergens_from_the_fixed_list_and_options_show_them_as_they_change() {
    let app = TestApp::spawn().await;
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/dishes").await;
    let r = bep
        .post(
            "/kitchen/dishes",
            &[("name", "Tôm rim"), ("allergen", "tôm"), ("active", "yes")],
        )
        .await;
    assert_eq!(r.status, 400, "a code outside the list is a forged form");
    let r = bep
        .post(
            "/kitchen/dishes",
            &[
                ("name", "Tôm rim"),
                ("allergen", "molluscs"),
                ("allergen", "crustaceans"),
                ("allergen_notes", "Nấu chung chảo với lạc"),
                ("active", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("dishes WHERE allergens = 'crustaceans,molluscs' AND allergen_notes = 'Nấu chung chảo với lạc'"),
        1
    );
    let r = bep
        .post("/kitchen/dishes", &[("name", "TÔM RIM"), ("active", "yes")])
        .await;
    assert_eq!(
        r.status, 422,
        "the same name in other letter case is the same dish"
    );
    assert_eq!(app.count("dishes"), 1);
    let list = bep.get("/kitchen/dishes").await;
    assert!(
        list.body.contains("Tôm, cua (giáp xác), Nhuyễn thể"),
        "{}",
        list.body
    );

    // An option that holds it shows its allergens; correcting the dish corrects the option
    // ahead (the days that are over keep what was served).
    let shrimp = app.count("dishes") as i32;
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-01", "Suất thường", false, &[shrimp.to_string()]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.publish(d(2026, 11, 30));
    let print = bep.get("/kitchen/menu/print?week=2026-11-30").await;
    assert!(
        print.body.contains("Tôm rim: Nấu chung chảo với lạc"),
        "notes reach the printed menu: {}",
        print.body
    );
    let menu = bep.get("/kitchen/menu?week=2026-11-30").await;
    assert!(menu.body.contains("Tôm, cua (giáp xác)"), "{}", menu.body);
    app.sql("INSERT INTO meal_options (service_date, name, price_vnd, vegetarian, dishes, position, allergens) VALUES ('2026-11-20', 'Suất cũ', 35000, false, 'Tôm rim', 0, 'crustaceans,molluscs')");
    bep.get(&format!("/kitchen/dishes/{shrimp}")).await;
    let r = bep
        .post(
            &format!("/kitchen/dishes/{shrimp}"),
            &[
                ("name", "Tôm rim"),
                ("allergen", "crustaceans"),
                ("allergen", "peanuts"),
                ("active", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(
            "meal_options WHERE service_date = '2026-12-01' AND allergens = 'crustaceans,peanuts'"
        ),
        1
    );
    assert_eq!(
        app.count(
            "meal_options WHERE service_date = '2026-11-20' AND allergens = 'crustaceans,molluscs'"
        ),
        1
    );
    assert_eq!(
        app.audit_after("catalogue_dish.update").len(),
        1,
        "dish changes are audited"
    );
}

#[actix_web::test]
async fn staff_see_allergens_where_they_order_and_are_warned_about_their_own() {
    let app = TestApp::spawn().await;
    let fish = app.dish("Cá thu sốt cà chua", false, "fish");
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-11-30", "Suất cá", false, &[fish.to_string()]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.publish(d(2026, 11, 30));

    let (mut lan, lan_p) = app.staff("lan").await;
    let week = lan.get("/week").await;
    assert!(week.body.contains("Chất gây dị ứng: Cá"), "{}", week.body);
    assert!(!week.has("strong.warn"), "no allergy recorded yet");

    lan.get("/allergies").await;
    let r = lan
        .post("/allergies", &[("allergen", "fish"), ("allergen", "milk")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "persons WHERE id = {lan_p} AND allergens = 'fish,milk'"
        )),
        1
    );
    assert_eq!(
        app.audit_after("person.allergens").len(),
        1,
        "health data changes are audited"
    );
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let logged = admin.get("/admin/audit?action=person.allergens").await;
    assert_eq!(logged.texts("ul.diff li"), ["Chất gây dị ứng: — → Cá, Sữa"]);
    assert_eq!(
        lan.post("/allergies", &[("allergen", "dust")]).await.status,
        400
    );

    let week = lan.get("/week").await;
    let warn = week.texts("strong.warn").join(" ");
    assert!(
        warn.contains("Có chất bạn đã ghi dị ứng: Cá"),
        "{}",
        week.body
    );

    // The kitchen ordering for her sees the same warning; the printed menu lists allergens.
    let behalf = bep.get(&format!("/kitchen/on-behalf/{lan_p}")).await;
    assert!(behalf.texts("strong.warn").join(" ").contains("Cá"));
    let print = bep.get("/kitchen/menu/print?week=2026-11-30").await;
    assert_eq!(print.status, 200);
    assert!(
        print.texts("table td").iter().any(|t| t == "Cá"),
        "{}",
        print.body
    );

    // The pass page on the day shows the meal with the warning.
    let mut fields = week.form("/week");
    set_field(
        &mut fields,
        &key(d(2026, 11, 30)),
        &(app.count("meal_options") as i32).to_string(),
    );
    assert_eq!(lan.post("/week", &refs(&fields)).await.status, 303);
    app.clock().set(local(d(2026, 11, 30), 11, 0, 0));
    let mut lan = login_again(&app, "lan").await;
    let pass = lan.get("/pass").await;
    assert!(pass.body.contains("Suất cá"), "{}", pass.body);
    assert!(pass.texts("strong.warn").join(" ").contains("Cá"));
}

/// Lan and Bình order the first option of Tuesday 01/12; returns its id and the dish ids.
async fn two_eat_tuesday(app: &TestApp) -> (i32, i32, i32, i32, Client) {
    let rice = app.dish("Cơm trắng", true, "");
    let chicken = app.dish("Gà rang gừng", false, "");
    let mut bep = kitchen(app).await;
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form(
                "2026-12-01",
                "Suất thường",
                false,
                &[rice.to_string(), chicken.to_string()],
            ),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.publish(d(2026, 11, 30));
    let option = app.count("meal_options") as i32;
    let mut people = Vec::new();
    for name in ["lan", "binh"] {
        let (mut c, p) = app.staff(name).await;
        let mut f = c.get("/week").await.form("/week");
        set_field(&mut f, &key(d(2026, 12, 1)), &option.to_string());
        assert_eq!(c.post("/week", &refs(&f)).await.status, 303);
        people.push(p);
    }
    (option, rice, chicken, people[0], bep)
}

#[actix_web::test]
async fn the_kitchen_edits_a_published_option_and_those_who_ordered_it_are_told() {
    let app = TestApp::spawn().await;
    let (option, rice, _chicken, lan_p, mut bep) = two_eat_tuesday(&app).await;
    let fish = app.dish("Cá kho tộ", false, "fish");
    let edit = format!("/kitchen/menu/options/{option}");
    let page = bep.get(&edit).await;
    assert!(page.body.contains("Đã có 2 suất đặt"), "{}", page.body);

    // The capacity cannot go below what is ordered.
    let mut f = page.form(&edit);
    set_field(&mut f, "capacity", "1");
    let r = bep.post(&edit, &refs(&f)).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("không được thấp hơn số suất đã đặt"),
        "{}",
        r.body
    );

    // New dishes and a new price: saved; the two who ordered are told; their price stays.
    let r = bep
        .post(
            &edit,
            &[
                ("name", "Suất thường"),
                ("price", "40.000"),
                ("capacity", "2"),
                ("dish", &rice.to_string()),
                ("dish", &fish.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
    assert!(
        app.orders_of(lan_p).iter().all(|o| o.3 == 30_000),
        "ordered at the old price"
    );
    let after = app.audit_after("menu_option.update");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["dishes"], "Cơm trắng · Cá kho tộ");
    assert_eq!(after[0]["people_notified"], 2);

    // Lan sees it on her next visit, with the new allergen, until she marks it read.
    let mut lan = login_again(&app, "lan").await;
    let week = lan.get("/week").await;
    let notice = week.texts(".notices li").join(" ");
    assert!(notice.contains("01/12/2026"), "{notice} {}", week.body);
    assert!(notice.contains("Cơm trắng · Gà rang gừng"), "{notice}");
    assert!(notice.contains("Cơm trắng · Cá kho tộ"), "{notice}");
    assert!(notice.contains("Cá"), "{notice}");
    let f = week.form("/notices/read");
    assert_eq!(lan.post("/notices/read", &refs(&f)).await.status, 303);
    assert!(
        !lan.get("/week").await.has(".notices"),
        "read notices are gone"
    );
    assert_eq!(
        app.count("notices WHERE seen_at IS NULL"),
        1,
        "Bình's is still unread"
    );
}

/// What someone ordered can change after they ordered it in three ways: the option's dishes
/// (told, above), the option's name, and a dish of it changed in the catalogue — a new
/// allergen above all, a new name, an allergen note. Each of them tells those who ordered it,
/// in the notice, what it was and what it is now; a change they would not see (a dish's
/// description, a dish saved as it is) tells no one.
#[actix_web::test]
async fn those_who_ordered_are_told_when_a_dish_of_their_meal_gets_an_allergen_or_the_option_a_new_name(
) {
    let app = TestApp::spawn().await;
    let (option, _rice, chicken, _lan_p, mut bep) = two_eat_tuesday(&app).await;
    let told = |app: &TestApp| app.count("notices WHERE kind = 'dishes_changed'");
    let dish_page = format!("/kitchen/dishes/{chicken}");

    let mut f = bep.get(&dish_page).await.form(&dish_page);
    set_field(&mut f, "description", "Gà ta thả vườn");
    let r = bep.post(&dish_page, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(told(&app), 0, "a description is not shown on the option");

    // Lan also orders the chicken on Wednesday, in another option.
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-02", "Suất gà", false, &[chicken.to_string()]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let wednesday = app.count("meal_options") as i32;
    app.publish(d(2026, 11, 30));
    let mut lan = login_again(&app, "lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(d(2026, 12, 2)), &wednesday.to_string());
    let r = lan.post("/week", &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mut f = bep.get(&dish_page).await.form(&dish_page);
    f.push(("allergen".to_string(), "peanuts".to_string()));
    set_field(&mut f, "allergen_notes", "Rắc lạc rang");
    let r = bep.post(&dish_page, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        told(&app),
        3,
        "Lan for each of her two days, Bình for Tuesday"
    );
    let after = app.audit_after("catalogue_dish.update");
    assert_eq!(
        after.last().map(|a| a["people_notified"].clone()),
        Some(2.into()),
        "two people"
    );
    let list = bep.get("/kitchen/dishes").await;
    assert!(
        list.body.contains("sẽ được báo về thay đổi"),
        "the kitchen knows they were told: {}",
        list.body
    );

    let notice = lan.get("/week").await.texts(".notices li").join(" ");
    assert!(notice.contains("01/12/2026"), "{notice}");
    assert!(notice.contains("02/12/2026"), "{notice}");
    assert!(notice.contains("Suất thường"), "{notice}");
    assert!(
        notice.contains("Chất gây dị ứng: không có → Lạc (đậu phộng)"),
        "{notice}"
    );
    assert!(notice.contains("Gà rang gừng: Rắc lạc rang"), "{notice}");

    let edit = format!("/kitchen/menu/options/{option}");
    let mut f = bep.get(&edit).await.form(&edit);
    set_field(&mut f, "name", "Suất gà");
    let r = bep.post(&edit, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(told(&app), 5, "a new name is told too");
    let notices = lan.get("/week").await.texts(".notices li");
    let renamed = notices.last().cloned().unwrap_or_default();
    assert!(
        renamed.contains("Suất gà") && renamed.contains("trước đây gọi là Suất thường"),
        "{notices:?}"
    );
    assert!(
        !renamed.contains(" → Lạc"),
        "allergens unchanged are not shown as a change: {renamed}"
    );

    let f = bep.get(&dish_page).await.form(&dish_page);
    let r = bep.post(&dish_page, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let f = bep.get(&edit).await.form(&edit);
    let r = bep.post(&edit, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(told(&app), 5, "saved as they are: no one is told again");

    // The dish renamed: told, without the allergen notes shown as changed (they read
    // "dish: note" on the option, and only the dish's name changed).
    let mut f = bep.get(&dish_page).await.form(&dish_page);
    set_field(&mut f, "name", "Gà rang sả");
    let r = bep.post(&dish_page, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(told(&app), 8);
    let notices = lan.get("/week").await.texts(".notices li");
    let renamed = notices.last().cloned().unwrap_or_default();
    assert!(
        renamed.contains("Gà rang gừng") && renamed.contains("Gà rang sả"),
        "{notices:?}"
    );
    assert!(
        !renamed.contains("Ghi chú dị ứng"),
        "the notes did not change: {renamed}"
    );
}

/// A day that is over: its option's page shows no form and says why; a form sent to it anyway
/// (an old tab) is refused with that reason alone (no "fix the fields below": there are none),
/// and nothing changes.
#[actix_web::test]
async fn a_past_days_option_cannot_be_changed_and_its_page_says_why() {
    let app = TestApp::spawn().await;
    let mut bep = kitchen(&app).await;
    app.sql("INSERT INTO meal_options (service_date, name, price_vnd, vegetarian, dishes, position, allergens) VALUES ('2026-11-20', 'Suất cũ', 35000, false, 'Cơm', 0, '')");
    let id = app.count("meal_options") as i32;
    let edit = format!("/kitchen/menu/options/{id}");
    let page = bep.get(&edit).await;
    assert!(
        page.body
            .contains("suất ăn của ngày này không sửa được nữa"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"price\""), "no form");
    let r = bep
        .post(
            &edit,
            &[("name", "Suất mới"), ("price", "40.000"), ("capacity", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("không sửa được nữa"), "{}", r.body);
    assert!(!r.body.contains("Vui lòng sửa các mục"), "{}", r.body);
    assert_eq!(app.count("meal_options WHERE name = 'Suất cũ'"), 1);
    assert!(
        page.body.contains("rel=\"icon\""),
        "no request for /favicon.ico"
    );
}

/// The edit form lists the dishes by name, whatever order the option shows them in. Saving
/// the same dishes (in another order, with a new price) keeps their order and tells no one
/// their dishes changed (QA: 33 people were told "the dishes changed" with the same dishes
/// before and after); a new dish comes after the ones kept, and then the eaters are told.
#[actix_web::test]
async fn saving_an_option_with_the_same_dishes_keeps_their_order_and_tells_no_one() {
    let app = TestApp::spawn().await;
    let (option, rice, chicken, _lan_p, mut bep) = two_eat_tuesday(&app).await;
    let edit = format!("/kitchen/menu/options/{option}");
    bep.get(&edit).await;
    let shown = |app: &TestApp, dishes: &str| {
        app.count(&format!(
            "meal_options WHERE id = {option} AND dishes = '{dishes}'"
        ))
    };
    assert_eq!(shown(&app, "Cơm trắng · Gà rang gừng"), 1);
    let (rice, chicken) = (rice.to_string(), chicken.to_string());
    let r = bep
        .post(
            &edit,
            &[
                ("name", "Suất thường"),
                ("price", "32.000"),
                ("capacity", ""),
                ("dish", &chicken),
                ("dish", &rice),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("meal_options WHERE price_vnd = 32000"), 1);
    assert_eq!(
        shown(&app, "Cơm trắng · Gà rang gừng"),
        1,
        "the order is kept"
    );
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 0);

    let soup = app.dish("Canh chua", false, "").to_string();
    let r = bep
        .post(
            &edit,
            &[
                ("name", "Suất thường"),
                ("price", "32.000"),
                ("capacity", ""),
                ("dish", &soup),
                ("dish", &chicken),
                ("dish", &rice),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(shown(&app, "Cơm trắng · Gà rang gừng · Canh chua"), 1);
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
}

/// Two tabs on one option's edit page: the second save, made from a page shown before the
/// first was saved, is refused and shows the option as it is now, instead of silently putting
/// back what the first removed (QA: a stale price change restored a removed dish, and 34
/// people were told twice). Saved again from that page, it goes through.
#[actix_web::test]
async fn a_stale_option_edit_page_cannot_undo_a_change_saved_from_another_tab() {
    let app = TestApp::spawn().await;
    let (option, rice, chicken, _lan_p, mut bep) = two_eat_tuesday(&app).await;
    let edit = format!("/kitchen/menu/options/{option}");
    let tab_a = bep.get(&edit).await.form(&edit);
    let mut tab_b = bep.get(&edit).await.form(&edit);
    let mut a = tab_a.clone();
    a.retain(|(k, v)| !(k == "dish" && *v == chicken.to_string()));
    let r = bep.post(&edit, &refs(&a)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
    let after_a = app.audit_after("menu_option.update");
    // Tab A's form sent again (a double click without JavaScript) sends what is saved now:
    // answered as saved, nothing written, no one told twice.
    let r = bep.post(&edit, &refs(&a)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
    assert_eq!(app.audit_after("menu_option.update").len(), after_a.len());

    set_field(&mut tab_b, "price", "36.000");
    let r = bep.post(&edit, &refs(&tab_b)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("vừa được sửa ở nơi khác"), "{}", r.body);
    assert_eq!(app.count("meal_options WHERE price_vnd = 36000"), 0);
    assert_eq!(
        app.count(&format!(
            "meal_options WHERE id = {option} AND dishes = 'Cơm trắng'"
        )),
        1,
        "the removed dish stays removed"
    );
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
    assert_eq!(app.audit_after("menu_option.update").len(), after_a.len());
    // The page now shows the option as saved by the other tab; saved from it, it goes through.
    let mut again = r.form(&edit);
    let dishes: Vec<String> = again
        .iter()
        .filter(|(k, _)| k == "dish")
        .map(|(_, v)| v.clone())
        .collect();
    assert_eq!(dishes, vec![rice.to_string()]);
    set_field(&mut again, "price", "36.000");
    let r = bep.post(&edit, &refs(&again)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("meal_options WHERE price_vnd = 36000"), 1);
    assert_eq!(app.count("notices WHERE kind = 'dishes_changed'"), 2);
}

/// A dish taken out of use cannot be put on an option by a hand-made or stale form; one
/// already on the option stays when the option is saved.
#[actix_web::test]
async fn a_dish_out_of_use_cannot_be_added_to_an_option_but_one_already_on_it_stays() {
    let app = TestApp::spawn().await;
    let (option, rice, chicken, _lan_p, mut bep) = two_eat_tuesday(&app).await;
    let soup = app.dish("Canh chua", false, "");
    app.sql(&format!(
        "UPDATE dishes SET active = FALSE WHERE id IN ({soup}, {chicken})"
    ));
    let edit = format!("/kitchen/menu/options/{option}");
    let mut f = bep.get(&edit).await.form(&edit);
    set_field(&mut f, "price", "33.000");
    let mut with_soup = f.clone();
    with_soup.push(("dish".into(), soup.to_string()));
    let r = bep.post(&edit, &refs(&with_soup)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("ngừng dùng"), "{}", r.body);
    assert_eq!(app.count("meal_options WHERE price_vnd = 33000"), 0);
    assert_eq!(app.count("notices"), 0);
    let r = bep.post(&edit, &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "meal_options WHERE id = {option} AND price_vnd = 33000 AND dishes = 'Cơm trắng · Gà rang gừng'"
        )),
        1,
        "the chicken, out of use, stays on the option: {rice}"
    );
}

/// A new session of an existing user (as if they came back later).
async fn login_again(app: &TestApp, name: &str) -> Client {
    use canteen::db::schema::users;
    use diesel::prelude::*;
    let id: i32 = {
        let mut c = app.state.db.read_conn().expect("conn");
        users::table
            .filter(users::username.eq(name))
            .select(users::id)
            .get_result(&mut *c)
            .expect("user")
    };
    app.session_for(id).await
}

#[actix_web::test]
async fn a_vegetarian_option_with_orders_stays_vegetarian() {
    let app = TestApp::spawn().await;
    let tofu = app.dish("Đậu phụ sốt cà chua", true, "soy").to_string();
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-01", "Suất chay", true, std::slice::from_ref(&tofu)),
        )
        .await;
    assert_eq!(r.status, 303);
    app.publish(d(2026, 11, 30));
    let (mut lan, _) = app.staff("lan").await;
    let mut f = lan.get("/week").await.form("/week");
    set_field(&mut f, &key(d(2026, 12, 1)), "1");
    assert_eq!(lan.post("/week", &refs(&f)).await.status, 303);
    bep.get("/kitchen/menu/options/1").await;
    let r = bep
        .post(
            "/kitchen/menu/options/1",
            &[
                ("name", "Suất chay"),
                ("price", "30.000"),
                ("capacity", ""),
                ("dish", &tofu),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không bỏ dấu chay được"), "{}", r.body);
    assert_eq!(app.count("meal_options WHERE vegetarian = true"), 1);
}

#[actix_web::test]
async fn when_the_kitchen_changes_someones_meal_they_are_told_and_the_audit_has_before_and_after() {
    let app = TestApp::spawn().await;
    let (option, _, _, lan_p, mut bep) = two_eat_tuesday(&app).await;
    let driver = app.person("TX01", "Lái xe Hùng");
    let tue = key(d(2026, 12, 1));

    let mut f = bep
        .get(&format!("/kitchen/on-behalf/{lan_p}"))
        .await
        .form(&format!("/kitchen/on-behalf/{lan_p}"));
    set_field(&mut f, &tue, "none");
    set_field(&mut f, "guests_2026-12-01", "3");
    let r = bep
        .post(&format!("/kitchen/on-behalf/{lan_p}"), &refs(&f))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut f = bep
        .get(&format!("/kitchen/on-behalf/{driver}"))
        .await
        .form(&format!("/kitchen/on-behalf/{driver}"));
    set_field(&mut f, &tue, &option.to_string());
    assert_eq!(
        bep.post(&format!("/kitchen/on-behalf/{driver}"), &refs(&f))
            .await
            .status,
        303
    );

    assert_eq!(
        app.count("notices"),
        1,
        "only Lan has an account to be told on"
    );
    let audit = app.audit_after("orders.on_behalf");
    assert_eq!(audit[0]["days"][0]["before"]["option"], "Suất thường");
    assert_eq!(
        audit[0]["days"][0]["after"]["option"],
        serde_json::Value::Null
    );
    assert_eq!(audit[0]["days"][0]["after"]["guests"], 3);

    let mut lan = login_again(&app, "lan").await;
    let notice = lan.get("/week").await.texts(".notices li").join(" ");
    assert!(
        notice.contains("nhà bếp đã thay đổi suất ăn của bạn"),
        "{notice}"
    );
    assert!(
        notice.contains("Suất thường → Không ăn + 3 khách"),
        "{notice}"
    );

    // The audit page words it too; saving the page again without a change logs nothing.
    let mut admin = app.login_as("quantri", &[Role::Admin]).await;
    let logged = admin.get("/admin/audit?action=orders.on_behalf").await;
    let first = logged.texts("ul.diff li");
    assert!(
        first
            .iter()
            .any(|l| l == "Các ngày: 01/12/2026: Suất thường → Không ăn + 3 khách"),
        "{first:?}"
    );
    let path = format!("/kitchen/on-behalf/{lan_p}");
    let same = bep.get(&path).await.form(&path);
    assert_eq!(bep.post(&path, &refs(&same)).await.status, 303);
    assert_eq!(
        app.audit_after("orders.on_behalf").len(),
        2,
        "no entry for no change"
    );
}

#[actix_web::test]
async fn a_makeup_saturday_takes_the_standing_orders_of_the_weekday_it_replaces() {
    let app = TestApp::spawn().await;
    let rice = app.dish("Cơm trắng", true, "").to_string();
    let (mut lan, lan_p) = app.staff("lan").await;
    let (mut binh, binh_p) = app.staff("binh").await;
    for (c, day) in [(&mut lan, "5"), (&mut binh, "1")] {
        c.get("/standing").await;
        assert_eq!(
            c.post("/standing", &[("weekday", day), ("action", "save")])
                .await
                .status,
            303
        );
    }
    let mut bep = kitchen(&app).await;
    bep.get("/kitchen/calendar?month=2026-12").await;
    // A Sunday cannot be "made up for".
    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[
                ("day", "05/12/2026"),
                ("reason", "Làm bù"),
                ("makeup_for", "06/12/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("phải là một ngày thường"), "{}", r.body);
    assert_eq!(
        app.count("service_days WHERE is_open = true"),
        0,
        "nothing changed"
    );
    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[
                ("day", "02/12/2026"),
                ("reason", "Làm bù"),
                ("makeup_for", "01/12/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "a Wednesday is no make-up day");
    assert!(r.body.contains("Chỉ ngày cuối tuần"), "{}", r.body);

    let r = bep
        .post(
            "/kitchen/calendar/open",
            &[
                ("day", "05/12/2026"),
                ("reason", "Làm bù"),
                ("makeup_for", "04/12/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cal = bep.get("/kitchen/calendar?month=2026-12").await;
    assert!(
        cal.body.contains("làm bù cho Thứ Sáu 04/12/2026"),
        "{}",
        cal.body
    );
    bep.get("/kitchen/menu?week=2026-11-30").await;
    let r = bep
        .post(
            "/kitchen/menu/options",
            &add_form("2026-12-05", "Suất thường", false, &[rice]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    bep.post("/kitchen/menu/publish", &[("week", "2026-11-30")])
        .await;

    assert!(
        app.meal_days(lan_p).contains(&d(2026, 12, 5)),
        "Friday's standing order"
    );
    assert!(
        !app.meal_days(binh_p).contains(&d(2026, 12, 5)),
        "Monday's does not apply"
    );
    let week = lan.get("/week").await;
    assert!(
        week.body.contains("làm bù cho Thứ Sáu 04/12/2026"),
        "{}",
        week.body
    );
}

/// Found by QA: a page opened before the kitchen changed a day's option (dishes, price) still
/// ordered it — at a price, and with allergens, the person never saw. The choice is now shown
/// again with the change first; saved again from that page, it is taken. A page opened after
/// the change, and days whose options did not change, are not held up.
#[actix_web::test]
async fn a_choice_made_before_the_kitchen_changed_the_days_menu_is_shown_again_with_the_change() {
    let app = TestApp::spawn().await;
    let (option, rice, _chicken, _lan_p, mut bep) = two_eat_tuesday(&app).await;
    let (mut chi, chi_p) = app.staff("chi").await;
    chi.get("/allergies").await;
    let r = chi.post("/allergies", &[("allergen", "fish")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stale = chi.get("/week").await.form("/week");
    assert!(
        stale.iter().any(|f| f.0 == "menu_2026-12-01"),
        "the page carries the day's menu as shown"
    );
    let fish = app.dish("Cá kho tộ", false, "fish");
    let r = bep
        .post(
            &format!("/kitchen/menu/options/{option}"),
            &[
                ("name", "Suất thường"),
                ("price", "40.000"),
                ("dish", &rice.to_string()),
                ("dish", &fish.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut f = stale;
    set_field(&mut f, &key(d(2026, 12, 1)), &option.to_string());
    let r = chi.post("/week", &refs(&f)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let row = r.texts("#d-2026-12-01").join(" ");
    assert!(row.contains("thay đổi thực đơn"), "{row}");
    assert!(row.contains("Cá kho tộ"), "the new dishes are shown: {row}");
    assert!(
        r.texts("strong.warn").join(" ").contains("Cá"),
        "with her allergy warning: {}",
        r.body
    );
    assert!(app.orders_of(chi_p).is_empty(), "nothing saved");
    // Saved again from the page that came back: taken, at the price it showed.
    let f = r.form("/week");
    let r = chi.post("/week", &refs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let orders = app.orders_of(chi_p);
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].1, orders[0].3), (option, 40_000));
    // A page opened after the change, cancelling: no hold-up.
    let mut f = chi.get("/week").await.form("/week");
    set_field(&mut f, &key(d(2026, 12, 1)), "none");
    assert_eq!(chi.post("/week", &refs(&f)).await.status, 303);
    assert!(app.meal_days(chi_p).is_empty());
}

#[actix_web::test]
async fn publishing_a_week_without_options_says_nothing_was_published() {
    let app = TestApp::spawn().await;
    let bep = app.user("bep", &[Role::Kitchen]);
    let mut bep = app.session_for(bep).await;
    bep.get("/kitchen/menu?week=2026-12-14").await;
    let r = bep
        .post("/kitchen/menu/publish", &[("week", "2026-12-14")])
        .await;
    assert_eq!(r.status, 303);
    let page = bep.get(&r.location()).await;
    assert_eq!(
        page.texts(".flash"),
        ["Tuần này chưa có ngày nào có suất ăn để công bố: chưa công bố gì. Thêm suất cho các ngày rồi công bố lại."]
    );
    assert_eq!(app.count("service_days WHERE published"), 0);
    assert_eq!(
        app.count("audit_log WHERE action = 'service_day.publish'"),
        0
    );
}
