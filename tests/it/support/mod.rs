//! Test support: a real server on a random loopback port with a fresh database (a SQLite file
//! per test, or a PostgreSQL schema per test when TEST_DATABASE_URL is set), a frozen clock,
//! and a cookie + CSRF aware client.

#![allow(dead_code)]

use canteen::audit::Actor;
use canteen::auth::roles::{Role, RoleSet};
use canteen::auth::{password, session, store};
use canteen::clock::Clock;
use canteen::config::Config;
use canteen::state::AppState;
use chrono::{TimeZone, Utc};
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct TestApp {
    pub addr: String,
    pub state: AppState,
    pub database_url: String,
    _dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
    server: Option<(actix_web::dev::ServerHandle, std::thread::JoinHandle<()>)>,
}

/// 27/11/2026 08:00 in Hà Nội.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0)
        .single()
        .expect("valid time")
}

pub fn pg_base() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

pub const PASSWORD: &str = "cơm trưa ngon lắm";

/// One argon2 hash of PASSWORD for all test users (hashing per user would slow every test).
pub fn password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| password::hash(PASSWORD).expect("hash"))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A test app with a changed configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg_schema) = match pg_base() {
            None => (
                dir.path().join("test.db").to_string_lossy().to_string(),
                None,
            ),
            Some(base) => {
                let schema = format!("t_{}", &session::random_token()[..16]);
                pg_exec(&base, &format!("CREATE SCHEMA {schema}"));
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    // The schema's name is also the connections' application name: a test
                    // can find (and close) this app's connections alone.
                    format!(
                        "{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
                    ),
                    Some((base, schema)),
                )
            }
        };
        // On PostgreSQL with TEST_PG_APP_USER set (CI does), the server runs as a role that
        // may not change the schema nor the append-only tables: migrations run as the owner,
        // the app logs in as that user (`serve --no-migrate`).
        let app_url = match std::env::var("TEST_PG_APP_USER")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(user) if pg_schema.is_some() => with_user(&database_url, &user),
            _ => database_url.clone(),
        };
        let mut config = Config::new(app_url.clone());
        config.read_pool_size = 4;
        tweak(&mut config);
        let state = if app_url == database_url {
            canteen::prepare(config, Clock::fixed(start_time())).expect("prepare")
        } else {
            canteen::db::Db::connect(&database_url, 1)
                .and_then(|db| canteen::migrate(&db))
                .expect("migrate as the owner");
            canteen::prepare_with(config, Clock::fixed(start_time()), false)
                .expect("prepare as the app role")
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = format!("http://{}", listener.local_addr().expect("addr"));
        let server = canteen::app::serve(state.clone(), listener, 2).expect("serve");
        let handle = server.handle();
        // The server runs on a thread of its own so that dropping the test app can stop it
        // (and close its database connections) without the test's runtime.
        let thread = std::thread::spawn(move || {
            let _ = actix_web::rt::System::new().block_on(server);
        });
        TestApp {
            addr,
            state,
            database_url,
            _dir: dir,
            pg_schema,
            server: Some((handle, thread)),
        }
    }

    /// A new session of an existing user (as when they come back another day).
    pub async fn session_of(&self, name: &str) -> Client {
        use diesel::prelude::*;
        let id: i32 = {
            let mut c = self.state.db.read_conn().expect("conn");
            canteen::db::schema::users::table
                .filter(canteen::db::schema::users::username.eq(name))
                .select(canteen::db::schema::users::id)
                .get_result(&mut *c)
                .expect("user")
        };
        self.session_for(id).await
    }

    /// Runs the migrations again as the database's owner (as an upgrade does).
    pub fn migrate_again(&self) {
        canteen::db::Db::connect(&self.database_url, 1)
            .and_then(|db| canteen::migrate(&db))
            .expect("migrate as the owner");
    }

    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    pub fn client(&self) -> Client {
        Client::new(&self.addr)
    }

    /// Creates a user with these roles (password PASSWORD), optionally linked to a person.
    pub fn user(&self, username: &str, roles: &[Role]) -> i32 {
        self.user_full(username, roles, None, false)
    }

    pub fn user_full(
        &self,
        username: &str,
        roles: &[Role],
        person_id: Option<i32>,
        must_change: bool,
    ) -> i32 {
        let now = self.state.clock.now_naive();
        let set: RoleSet = roles.iter().copied().collect();
        let username = username.to_string();
        self.state
            .db
            .write_tx(move |c| {
                let new = store::NewUser {
                    username: &username,
                    display_name: &username,
                    password_hash: password_hash(),
                    must_change_password: must_change,
                    roles: set,
                    person_id,
                };
                store::create(c, &Actor::system("test"), now, new)
                    .map_err(|_| canteen::error::AppError::internal("create user"))
            })
            .expect("create user")
    }

    /// A client already logged in as a new user with these roles.
    pub async fn login_as(&self, username: &str, roles: &[Role]) -> Client {
        self.user(username, roles);
        let mut c = self.client();
        c.login(username, PASSWORD).await;
        c
    }

    /// A client with a session made directly in the database (no password hashing).
    pub async fn session_for(&self, user_id: i32) -> Client {
        let now = self.state.clock.now_naive();
        let token = self
            .state
            .db
            .write_tx(move |c| session::create(c, user_id, now))
            .expect("session");
        let mut client = self.client();
        client.cookies.insert(session::SESSION_COOKIE.into(), token);
        client.get("/password").await;
        client
    }

    /// Runs SQL straight against the test database as its owner (to play a DBA).
    pub fn sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        let (backend, target) = canteen::db::parse_url(&self.database_url).expect("url");
        let mut c = canteen::db::open(backend, &target).expect("owner connection");
        c.batch_execute(sql).expect("sql");
    }

    /// Runs SQL as the owner and says whether the database took it.
    pub fn sql_ok(&self, sql: &str) -> bool {
        use diesel::connection::SimpleConnection;
        let (backend, target) = canteen::db::parse_url(&self.database_url).expect("url");
        let mut c = canteen::db::open(backend, &target).expect("owner connection");
        c.batch_execute(sql).is_ok()
    }

    pub fn count(&self, table: &str) -> i64 {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut c = self.state.db.read_conn().expect("conn");
        let r: N = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result(&mut *c)
            .expect("count");
        r.n
    }

    /// Runs the `canteen` binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_canteen"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("CANTEEN_LOG", "warn")
            .output()
            .expect("run canteen")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((handle, thread)) = self.server.take() {
            // Stopped from a thread of its own: this drop may run inside the test's runtime.
            let _ = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(handle.stop(false));
            })
            .join();
            let _ = thread.join();
        }
        if let Some((base, schema)) = &self.pg_schema {
            let _ = std::panic::catch_unwind(|| {
                pg_exec(base, &format!("DROP SCHEMA {schema} CASCADE"))
            });
        }
    }
}

/// The same PostgreSQL URL, logging in as `user`.
fn with_user(url: &str, user: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split_once('@').map(|(_, h)| h).unwrap_or(rest);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(feature = "postgres")]
fn pg_exec(base: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut c = diesel::PgConnection::establish(base).expect("connect to TEST_DATABASE_URL");
    c.batch_execute(sql).expect("pg sql");
}

#[cfg(not(feature = "postgres"))]
fn pg_exec(_: &str, _: &str) {
    panic!("TEST_DATABASE_URL is set but this build has no PostgreSQL support: use --features postgres");
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    /// Texts of the elements matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let sel = scraper::Selector::parse(selector).expect("selector");
        doc.select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
    pub fn has(&self, selector: &str) -> bool {
        !self.texts(selector).is_empty()
    }
    /// The fields a browser would send from the page's form with `action` as they stand (hidden
    /// and text inputs, checked radios and boxes, selected options, text areas; not disabled
    /// ones, not the CSRF token).
    pub fn form(&self, action: &str) -> Vec<(String, String)> {
        let doc = scraper::Html::parse_document(&self.body);
        let sel = scraper::Selector::parse(&format!(
            "form[action=\"{action}\"] :is(input, select, textarea)"
        ))
        .expect("selector");
        let option = scraper::Selector::parse("option").expect("selector");
        doc.select(&sel)
            .filter_map(|e| {
                let a = |n: &str| e.value().attr(n);
                let name = a("name")?;
                if name == "csrf" || a("disabled").is_some() {
                    return None;
                }
                let value = match e.value().name() {
                    "select" => {
                        let options: Vec<_> = e.select(&option).collect();
                        let chosen = options
                            .iter()
                            .find(|o| o.value().attr("selected").is_some())
                            .or(options.first())?;
                        chosen.value().attr("value").unwrap_or("").to_string()
                    }
                    "textarea" => e.text().collect(),
                    _ => {
                        let checkable = matches!(a("type"), Some("radio") | Some("checkbox"));
                        if checkable && a("checked").is_none() {
                            return None;
                        }
                        a("value").unwrap_or("").to_string()
                    }
                };
                Some((name.to_string(), value))
            })
            .collect()
    }
}

/// Sets a form field as a person would (replacing its value, or adding it).
pub fn set_field(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|f| f.0 == name) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}

/// The fields as the `post` helpers take them.
pub fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// An HTTP client that keeps cookies and the last CSRF token it saw, and never follows redirects.
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: HashMap::new(),
            csrf: String::new(),
            headers: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, rb: reqwest::RequestBuilder) -> Resp {
        let mut rb = rb.header("cookie", self.cookie_header());
        for (k, v) in &self.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let res = rb.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for sc in headers.get_all("set-cookie") {
            let s = sc.to_str().unwrap_or("");
            let first = s.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                let removed = s.contains("Max-Age=0")
                    || s.to_lowercase().contains("expires=thu, 01 jan 1970");
                if v.is_empty() || removed {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let bytes = res.bytes().await.expect("body").to_vec();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(t) = extract_csrf(&body) {
            self.csrf = t;
        }
        Resp {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// Where the app is (`http://127.0.0.1:port`).
    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let rb = self.http.get(format!("{}{}", self.base, path));
        self.finish(rb).await
    }

    pub async fn head(&mut self, path: &str) -> Resp {
        let rb = self.http.head(format!("{}{}", self.base, path));
        self.finish(rb).await
    }

    /// POSTs a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone();
        all.push(("csrf", &token));
        self.post_raw(path, &all).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_html_form_encode(fields);
        let rb = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.finish(rb).await
    }

    /// POSTs a multipart upload with the CSRF token.
    pub async fn upload(&mut self, path: &str, filename: &str, content: Vec<u8>) -> Resp {
        self.upload_with(path, &[], filename, content).await
    }

    /// POSTs a multipart upload with text fields besides the file.
    pub async fn upload_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        content: Vec<u8>,
    ) -> Resp {
        let boundary = "----canteen-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            )
            .as_bytes(),
        );
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let rb = self
            .http
            .post(format!("{}{}", self.base, path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.finish(rb).await
    }

    /// Another client on the same session (same cookies and CSRF token).
    pub fn same_session(&self) -> Client {
        let mut c = Client::new(&self.base);
        c.cookies = self.cookies.clone();
        c.csrf = self.csrf.clone();
        c
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        self.get("/login").await;
        let r = self
            .post("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(
            r.status, 303,
            "login of {username} should succeed: {}",
            r.body
        );
        self.get("/").await;
        r
    }
}

fn serde_html_form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn extract_csrf(body: &str) -> Option<String> {
    let i = body.find("name=\"csrf\" value=\"")?;
    let rest = &body[i + "name=\"csrf\" value=\"".len()..];
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

use canteen::canteen::store as menu_store;
use chrono::NaiveDate;

pub const REGULAR: (&str, i64, Option<i32>, bool) = ("Suất thường", 35_000, None, false);
pub const VEG: (&str, i64, Option<i32>, bool) = ("Suất chay", 30_000, None, true);

/// Monday to Friday of the week starting `monday`.
pub fn week_of(monday: NaiveDate) -> Vec<NaiveDate> {
    (0..5).map(|i| monday + chrono::Duration::days(i)).collect()
}

/// The My week form field of a day's meal.
pub fn key(day: NaiveDate) -> String {
    format!("meal_{}", day.format("%Y-%m-%d"))
}

/// `n` staff, each logged in and looking at their week (so each holds a CSRF token).
pub async fn staff_on_their_week(app: &TestApp, n: usize) -> Vec<Client> {
    let mut clients = Vec::new();
    for i in 0..n {
        let (mut c, _) = app.staff(&format!("nv{i:03}")).await;
        c.get("/week").await;
        clients.push(c);
    }
    clients
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// A UTC instant given as local (Hà Nội) wall-clock time.
pub fn local(day: NaiveDate, h: u32, m: u32, s: u32) -> chrono::DateTime<Utc> {
    canteen::canteen::rules::cutoff_instant(
        day,
        chrono::NaiveTime::from_hms_opt(h, m, s).expect("time"),
    )
}

impl TestApp {
    /// A working person (no account).
    pub fn person(&self, code: &str, name: &str) -> i32 {
        let now = self.state.clock.now_naive();
        let data = canteen::people::rules::PersonData {
            employee_code: code.to_string(),
            full_name: name.to_string(),
            unit_id: None,
            category: canteen::people::rules::Category::CivilServant,
            gender: None,
            date_of_birth: None,
            status: canteen::people::rules::Status::Working,
            status_date: None,
            phone: None,
            email: None,
        };
        self.state
            .db
            .write_tx(move |c| {
                canteen::people::store::create_person(c, &Actor::system("test"), now, &data)
            })
            .expect("person")
    }

    /// A staff member with a person record and a logged-in client.
    pub async fn staff(&self, username: &str) -> (Client, i32) {
        let pid = self.person(&username.to_uppercase(), &format!("Cán bộ {username}"));
        let uid = self.user_full(username, &[Role::Staff], Some(pid), false);
        (self.session_for(uid).await, pid)
    }

    /// Options for each day (name, price, capacity, vegetarian); returns their ids per day.
    pub fn options(
        &self,
        days: &[NaiveDate],
        opts: &[(&str, i64, Option<i32>, bool)],
    ) -> Vec<Vec<i32>> {
        let days = days.to_vec();
        let opts: Vec<(String, i64, Option<i32>, bool)> = opts
            .iter()
            .map(|(n, p, c, v)| (n.to_string(), *p, *c, *v))
            .collect();
        self.state
            .db
            .write_tx(move |c| {
                let mut out = Vec::new();
                for day in &days {
                    let mut ids = Vec::new();
                    for (name, price, cap, veg) in &opts {
                        let o = menu_store::NewOption {
                            service_date: *day,
                            name,
                            price_vnd: canteen::money::Vnd(*price),
                            capacity: *cap,
                            vegetarian: *veg,
                            dishes: &[],
                        };
                        ids.push(
                            menu_store::add_option(c, &o)?
                                .map_err(canteen::error::AppError::BadRequest)?,
                        );
                    }
                    out.push(ids);
                }
                Ok(out)
            })
            .expect("options")
    }

    /// The `after` JSON of every audit entry with this action, oldest first.
    pub fn audit_after(&self, what: &str) -> Vec<serde_json::Value> {
        use canteen::db::schema::audit_log::dsl::*;
        use diesel::prelude::*;
        let mut c = self.state.db.read_conn().expect("conn");
        let rows: Vec<Option<String>> = audit_log
            .filter(action.eq(what))
            .order(id.asc())
            .select(after_json)
            .load(&mut *c)
            .expect("audit");
        rows.into_iter()
            .map(|r| serde_json::from_str(r.as_deref().unwrap_or("null")).expect("json"))
            .collect()
    }

    /// A dish in the catalogue (name, vegetarian, allergen codes); returns its id.
    pub fn dish(&self, name: &str, vegetarian: bool, allergens: &str) -> i32 {
        let d = menu_store::DishInput {
            name: name.to_string(),
            description: String::new(),
            vegetarian,
            allergens: allergens.to_string(),
            allergen_notes: String::new(),
            liquid: false,
            active: true,
        };
        let now = self.state.clock.now_naive();
        self.state
            .db
            .write_tx(move |c| {
                menu_store::save_dish(c, None, &d, &Actor::system("test"), now)?
                    .map_err(canteen::error::AppError::BadRequest)
            })
            .expect("dish")
            .id
    }

    pub fn publish(&self, monday: NaiveDate) {
        let now = self.state.clock.now();
        self.state
            .db
            .write_tx(move |c| {
                canteen::canteen::menu::publish(c, &Actor::system("test"), monday, now)
            })
            .expect("publish");
    }

    /// (day, option id, status) of a person's orders, by day.
    pub fn orders_of(&self, person: i32) -> Vec<(NaiveDate, i32, String, i64)> {
        use canteen::db::schema::orders::dsl::*;
        use diesel::prelude::*;
        let mut c = self.state.db.read_conn().expect("conn");
        orders
            .filter(person_id.eq(person))
            .order(service_date.asc())
            .select((service_date, option_id, status, price_vnd))
            .load(&mut *c)
            .expect("orders")
    }

    /// Days on which the person has a meal (not cancelled).
    pub fn meal_days(&self, person: i32) -> Vec<NaiveDate> {
        self.orders_of(person)
            .into_iter()
            .filter(|o| o.2 != "cancelled")
            .map(|o| o.0)
            .collect()
    }
}

/// The fields of the undo button on the counter's card of `person`, as a browser would send
/// them (the serve or walk-in it belongs to).
pub async fn counter_undo_fields(cook: &mut Client, person: i32) -> Vec<(String, String)> {
    let page = cook
        .get(&format!("/kitchen/counter?r=served&p={person}"))
        .await;
    let fields = page.form("/kitchen/counter/undo");
    assert!(
        !fields.is_empty(),
        "no undo button on the card: {}",
        page.body
    );
    fields
}
