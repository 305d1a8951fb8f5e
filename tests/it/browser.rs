//! A real browser: headless Chromium driven through chromedriver's W3C WebDriver protocol.
//! Skipped (with a note) when chromedriver is not installed, except in CI, where it must run.

use crate::support::{d, TestApp, PASSWORD};
use canteen::auth::roles::Role;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    child: std::process::Child,
}

impl Driver {
    async fn start() -> Option<Driver> {
        let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(bin) = bin else {
            assert!(
                std::env::var("CI").is_err(),
                "CI must have chromedriver (apt-get install chromium chromium-driver)"
            );
            // Written to the real stderr (not the captured test output) so that it is seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: browser test (chromedriver not installed: apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        // Killed and waited for in Drop.
        #[allow(clippy::zombie_processes)]
        let child = std::process::Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900",
                     format!("--user-data-dir={}", std::env::temp_dir().join(format!("canteen-chrome-{port}")).display())]
        }}}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let session = r["value"]["sessionId"]
            .as_str()
            .expect("webdriver session")
            .to_string();
        Some(Driver {
            http,
            base,
            session,
            child,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let rb = self.http.request(method.clone(), url);
        let rb = if method == reqwest::Method::GET {
            rb
        } else {
            rb.json(&body)
        };
        rb.send()
            .await
            .expect("webdriver")
            .json::<Value>()
            .await
            .expect("json")["value"]
            .clone()
    }
    /// Signs in through the login form and waits for the page it leads to.
    async fn log_in(&self, addr: &str, username: &str, lands_on: &str) {
        self.go(&format!("{addr}/login")).await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", PASSWORD).await;
        self.click(".login button[type=submit]").await;
        self.wait_path(lands_on).await;
    }
    async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }
    /// Finds an element, waiting up to 10 s for it (pages load after clicks asynchronously).
    async fn find(&self, css: &str) -> String {
        let mut last = Value::Null;
        for _ in 0..100 {
            let v = self
                .cmd(
                    reqwest::Method::POST,
                    "/element",
                    json!({"using": "css selector", "value": css}),
                )
                .await;
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_string();
            }
            last = v;
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no element {css}: {last}")
    }

    /// Waits until the current page's URL path is `path`.
    async fn wait_path(&self, path: &str) {
        for _ in 0..100 {
            let url = self.cmd(reqwest::Method::GET, "/url", json!({})).await;
            if url.as_str().is_some_and(|u| u.ends_with(path)) {
                return;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("never reached {path}");
    }
    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            json!({"text": text}),
        )
        .await;
    }
    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            json!({}),
        )
        .await;
    }
    async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::GET,
            &format!("/element/{e}/text"),
            json!({}),
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }
    async fn selected(&self, css: &str) -> bool {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::GET,
            &format!("/element/{e}/selected"),
            json!({}),
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn a_staff_member_logs_in_orders_the_week_in_a_browser_and_sees_it_saved() {
    let app = TestApp::spawn().await;
    let days: Vec<_> = (0..5)
        .map(|i| d(2026, 11, 30) + chrono::Duration::days(i))
        .collect();
    let ids = app.options(
        &days,
        &[
            ("Suất thường", 35_000, None, false),
            ("Suất chay", 30_000, None, true),
        ],
    );
    app.publish(d(2026, 11, 30));
    let pid = app.person("NV777", "Phạm Thị Lan");
    app.user_full("lan", &[Role::Staff], Some(pid), false);
    let Some(driver) = Driver::start().await else {
        return;
    };

    driver.log_in(&app.addr, "lan", "/week").await;
    assert!(
        driver.text("h1").await.contains("Suất ăn trưa của tôi"),
        "staff land on their week"
    );

    driver
        .click(&format!(
            "input[name='meal_2026-11-30'][value='{}']",
            ids[0][1]
        ))
        .await;
    driver
        .click(&format!(
            "input[name='meal_2026-12-02'][value='{}']",
            ids[2][0]
        ))
        .await;
    driver
        .type_into("input[name='guests_2026-12-02']", "2")
        .await;
    driver.click("form button[type=submit]:not(.link)").await;
    driver.find(".flash").await;

    assert!(
        driver.text(".flash").await.contains("Đã lưu"),
        "saved message"
    );
    assert!(
        driver
            .selected(&format!(
                "input[name='meal_2026-11-30'][value='{}']",
                ids[0][1]
            ))
            .await
    );
    assert!(
        driver
            .selected("input[name='meal_2026-12-01'][value='none']")
            .await
    );
    assert_eq!(app.meal_days(pid), vec![days[0], days[2]]);
    assert_eq!(app.count("guest_meals WHERE guests = 2"), 1);
    let _ = driver.cmd(reqwest::Method::DELETE, "", json!({})).await;
}

/// On a phone the week fits the screen even when an option has a long name: the guests'
/// option list took its longest option's width and pushed the whole table past the screen,
/// cutting dishes and allergen lines on the right (found by QA).
#[actix_web::test]
async fn the_week_fits_a_phone_screen_even_when_an_option_has_a_long_name() {
    let app = TestApp::spawn().await;
    let days: Vec<_> = (0..5)
        .map(|i| d(2026, 11, 30) + chrono::Duration::days(i))
        .collect();
    app.options(
        &days,
        &[
            ("Suất thường", 35_000, None, false),
            (
                "Suất đặc biệt: cơm gà xối mỡ kèm canh chua cá lóc",
                45_000,
                None,
                false,
            ),
        ],
    );
    app.publish(d(2026, 11, 30));
    let pid = app.person("NV778", "Phạm Thị Hoa");
    app.user_full("hoa", &[Role::Staff], Some(pid), false);
    let Some(driver) = Driver::start().await else {
        return;
    };
    driver.log_in(&app.addr, "hoa", "/week").await;
    driver
        .cmd(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": 400, "height": 900}),
        )
        .await;
    driver.go(&format!("{}/week", app.addr)).await;
    driver.find("select.gopt").await;
    let w = driver
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "return [window.innerWidth, document.documentElement.clientWidth, document.documentElement.scrollWidth]", "args": []}),
        )
        .await;
    let (inner, client, scroll) = (
        w[0].as_i64().unwrap_or(0),
        w[1].as_i64().unwrap_or(0),
        w[2].as_i64().unwrap_or(i64::MAX),
    );
    assert!(inner <= 420, "a phone-sized window: {w}");
    assert!(scroll <= client, "the page scrolls sideways: {w}");
    let _ = driver.cmd(reqwest::Method::DELETE, "", json!({})).await;
}

/// A double click on "Lưu" sends the form once: the page's script holds a form that was sent
/// while its answer is on the way. Without it the second send reached the server after the
/// first had saved, was refused as made on a page shown before that save, and the cook read
/// "vừa được sửa ở nơi khác … chưa lưu gì" about a save that had gone through (found by QA).
#[actix_web::test]
async fn a_double_click_on_save_sends_the_form_once() {
    let app = TestApp::spawn().await;
    let dish = app.dish("Gà rang gừng", false, "");
    app.user_full("bep", &[Role::Kitchen], None, false);
    let Some(driver) = Driver::start().await else {
        return;
    };
    driver.log_in(&app.addr, "bep", "/kitchen/headcount").await;
    driver
        .go(&format!("{}/kitchen/dishes/{dish}", app.addr))
        .await;
    driver.find("input[name=name]").await;
    let sent = driver
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "const f = document.querySelector('input[name=name]').form; \
                f.querySelector('input[name=name]').value = 'Gà rang sả'; \
                const held = []; \
                window.addEventListener('submit', e => held.push(e.defaultPrevented)); \
                f.requestSubmit(); f.requestSubmit(); \
                return held;", "args": []}),
        )
        .await;
    assert_eq!(sent, json!([false, true]), "the second send is held");
    driver.wait_path("/kitchen/dishes").await;
    assert!(
        driver.text(".flash").await.contains("Đã lưu"),
        "the cook reads that it was saved"
    );
    assert_eq!(app.count("dishes WHERE name = 'Gà rang sả'"), 1);
    assert_eq!(app.audit_after("catalogue_dish.update").len(), 1);
    let _ = driver.cmd(reqwest::Method::DELETE, "", json!({})).await;
}

#[actix_web::test]
async fn back_to_the_form_from_a_refusal_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    canteen::demo::load(&app.state.db, app.clock(), Some(PASSWORD.into())).expect("demo");
    app.user_full("kt", &[Role::Accountant], None, false);
    let Some(driver) = Driver::start().await else {
        return;
    };
    driver.log_in(&app.addr, "kt", "/").await;
    driver
        .go(&format!("{}/accounting/policies", app.addr))
        .await;
    // Ending a policy on a day that is no day: refused on a page of its own (400).
    let form = "form[action$='/end']";
    driver
        .click("details:has(form[action$='/end']) summary")
        .await;
    driver
        .type_into(&format!("{form} input[name=to]"), "31/02/2026")
        .await;
    driver
        .type_into(
            &format!("{form} input[name=reason]"),
            "Hết kinh phí năm 2026",
        )
        .await;
    driver.click(&format!("{form} input[name=confirm]")).await;
    driver.click(&format!("{form} button[type=submit]")).await;
    driver.wait_path("/end").await;
    assert!(driver.text(".error-message").await.contains("ngày"));
    driver.click("a[data-back]").await;
    driver.wait_path("/accounting/policies").await;
    let typed = driver
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "const f = document.querySelector(\"form[action$='/end']\"); \
                return [f.querySelector('input[name=to]').value, f.querySelector('input[name=reason]').value];", "args": []}),
        )
        .await;
    assert_eq!(
        typed,
        json!(["31/02/2026", "Hết kinh phí năm 2026"]),
        "what was typed is there to correct"
    );
    let _ = driver.cmd(reqwest::Method::DELETE, "", json!({})).await;
}
