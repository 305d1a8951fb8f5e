//! The `canteen` command: serve, migrate, create-user, import-staff, backup, verify-audit.

use anyhow::{bail, Context};
use canteen::audit::{self, Actor};
use canteen::auth::roles::{Role, RoleSet};
use canteen::auth::{password, store};
use canteen::clock::Clock;
use canteen::config::Config;
use canteen::db::{self, Backend};
use canteen::people::{import, import_file};
use canteen::ui::Lang;
use clap::{Parser, Subcommand};
use std::io::Read;

#[derive(Parser)]
#[command(
    name = "canteen",
    version,
    about = "Nhà ăn & Phúc lợi — staff canteen and welfare"
)]
struct Cli {
    /// A file path or sqlite://PATH (SQLite), or postgres://... (PostgreSQL).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "canteen.db",
        global = true
    )]
    database_url: String,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "CANTEEN_SECURE_COOKIES", global = true)]
    secure_cookies: bool,
    /// Take client addresses from X-Forwarded-For (only behind a trusted reverse proxy): the
    /// address the proxy appended, the rightmost one.
    #[arg(long, env = "CANTEEN_TRUST_PROXY", global = true)]
    trust_proxy: bool,
    /// With --trust-proxy: how many trusted proxies stand in front (the client address is that
    /// many entries from the right of X-Forwarded-For).
    #[arg(long, env = "CANTEEN_PROXY_HOPS", default_value_t = 1, global = true)]
    proxy_hops: usize,
    /// Minutes of inactivity after which a session ends.
    #[arg(
        long,
        env = "CANTEEN_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    session_idle_minutes: i64,
    /// Hours after login at which a session ends regardless.
    #[arg(
        long,
        env = "CANTEEN_SESSION_HOURS",
        default_value_t = 10,
        global = true
    )]
    session_hours: i64,
    /// Read connections in the pool.
    #[arg(long, env = "CANTEEN_DB_POOL", default_value_t = 8, global = true)]
    db_pool: u32,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve.
    Serve {
        #[arg(long, env = "CANTEEN_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load demo data first (only into an empty database).
        #[arg(long, env = "CANTEEN_DEMO")]
        demo: bool,
        /// HTTP worker threads (default: one per core).
        #[arg(long, env = "CANTEEN_WORKERS")]
        workers: Option<usize>,
        /// Do not apply migrations (the server's database role may not change the schema;
        /// run `canteen migrate` as the owner first). Refuses to start if any are pending.
        #[arg(long, env = "CANTEEN_NO_MIGRATE")]
        no_migrate: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an account and print a one-time password.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Link the account to the person with this employee code.
        #[arg(long)]
        person: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Import persons from a .csv or .xlsx file (same rules as the web import).
    ImportStaff { file: std::path::PathBuf },
    /// Consistent online copy of a SQLite database, checked after writing.
    Backup {
        /// Where to write the copy (a new file; never overwritten).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup (the server must be stopped; the replaced
    /// file is kept aside).
    Restore {
        /// A file written by `canteen backup`.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Walk the audit log's hash chain; exit non-zero naming the first bad row. Prints the
    /// chain's head (row count and last hash) to keep somewhere else.
    VerifyAudit {
        /// A head printed earlier: fail if the chain no longer reaches it (rows were trimmed).
        #[arg(long)]
        expect_head: Option<String>,
    },
    /// Benchmark data: fill an empty database with one large month (see bench/month.sh).
    #[command(hide = true)]
    BenchData {
        #[arg(long, default_value_t = 10_000)]
        persons: u32,
        /// The month, e.g. 2026-10 (must be over for it to be closed).
        #[arg(long)]
        month: String,
        /// Months of meals ending with `month` (the earlier ones closed), for the statistics
        /// benchmark (bench/stats.sh).
        #[arg(long, default_value_t = 1)]
        months: u32,
    },
    /// Benchmark: build a closed month's report pack and roll it back; prints the time taken.
    #[command(hide = true)]
    BenchPack {
        #[arg(long)]
        month: String,
    },
    /// Print the registry of signing keys (every signer's, past and present) with
    /// fingerprints; keep a copy to check exported statements against.
    Signers,
    /// Write a signed month's statement (lines, totals, signatures) to a file.
    ExportMonth {
        /// The month, e.g. 2026-10.
        #[arg(long)]
        month: String,
        /// The file to write (never overwritten).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Check an exported statement offline against a key registry printed earlier by
    /// `canteen signers`.
    VerifyStatement {
        /// A file written by `canteen export-month`.
        file: std::path::PathBuf,
        /// A registry file written by `canteen signers`.
        #[arg(long)]
        keys: std::path::PathBuf,
    },
}

/// glibc keeps freed large blocks (argon2 uses 19 MiB per hash) in per-thread arenas once its
/// mmap threshold has adapted upwards; a fixed threshold returns them to the system, and a few
/// arenas are plenty for two cores. Measured: peak memory under the load benchmark fell from
/// 93 MB after 100 logins to the figures in the README.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    // SAFETY: mallopt only changes allocator tuning; called once before any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
        mallopt(M_ARENA_MAX, 4);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() {
    tune_allocator();
    tracing_subscriber::fmt()
        .with_max_level(match std::env::var("CANTEEN_LOG").as_deref() {
            Ok("debug") => tracing::Level::DEBUG,
            Ok("warn") => tracing::Level::WARN,
            _ => tracing::Level::INFO,
        })
        .with_target(false)
        .init();
    if let Err(e) = real_main() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config {
        database_url: cli.database_url.clone(),
        secure_cookies: cli.secure_cookies,
        proxy_hops: if cli.trust_proxy { cli.proxy_hops } else { 0 },
        session_idle_minutes: cli.session_idle_minutes,
        session_absolute_hours: cli.session_hours,
        read_pool_size: cli.db_pool,
    };
    config.validate()?;
    match cli.command {
        Command::Serve {
            bind,
            demo,
            workers,
            no_migrate,
        } => {
            let (backend, path) = db::parse_url(&config.database_url)?;
            let _lock = match backend {
                Backend::Sqlite => Some(db::sqlite_file::lock_for_server(&path)?),
                Backend::Postgres => None,
            };
            let state = canteen::prepare_with(config, Clock::real(), !no_migrate)?;
            if demo {
                let pw = std::env::var("CANTEEN_DEMO_PASSWORD")
                    .ok()
                    .filter(|p| !p.is_empty());
                match canteen::demo::load(&state.db, &state.clock, pw)? {
                    Some(report) => println!("{report}"),
                    None => println!("Demo data not loaded: the database already has data."),
                }
            }
            let workers = workers.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
            actix_web::rt::System::new().block_on(canteen::run(state, &bind, workers))
        }
        Command::Migrate => {
            let db = db::Db::connect(&config.database_url, 1)?;
            let n = canteen::migrate(&db)?;
            println!("{n} migration(s) applied.");
            Ok(())
        }
        Command::CreateUser {
            username,
            roles,
            display_name,
            person,
            password_stdin,
        } => {
            let mut set = RoleSet::empty();
            for r in &roles {
                set = set.with(Role::parse(r).with_context(|| format!("unknown role '{r}' (use staff, kitchen, accountant, approver, union_officer, admin)"))?);
            }
            let username = username.trim().to_lowercase();
            let pw = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                let s = s.trim_end_matches(['\n', '\r']).to_string();
                if let Err(k) = password::check_rules(&s, &username) {
                    bail!("{}", Lang::Vi.t(k));
                }
                s
            } else {
                password::generate()
            };
            let hash = password::hash(&pw)?;
            let state = canteen::prepare(config, Clock::real())?;
            let now = state.clock.now_naive();
            let name = display_name.unwrap_or_else(|| username.clone());
            let (uname, dname) = (username.clone(), name.clone());
            let id = state
                .db
                .write_tx(move |c| {
                    let person_id = match &person {
                        Some(code) => match canteen::people::store::person_by_code(
                            c,
                            &code.trim().to_uppercase(),
                        )? {
                            Some(p) => Some(p.id),
                            None => return Ok(Err("no person has that employee code")),
                        },
                        None => None,
                    };
                    let new = store::NewUser {
                        username: &uname,
                        display_name: &dname,
                        password_hash: &hash,
                        must_change_password: !password_stdin,
                        roles: set,
                        person_id,
                    };
                    match store::create(c, &Actor::system("cli"), now, new) {
                        Ok(id) => Ok(Ok(id)),
                        Err(store::CreateError::Other(e)) => Err(e),
                        Err(store::CreateError::UsernameTaken) => {
                            Ok(Err("that username is already taken"))
                        }
                        Err(store::CreateError::PersonTaken) => {
                            Ok(Err("that person already has an account"))
                        }
                    }
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Err(why) = id {
                bail!("user '{username}' not created: {why}");
            }
            if password_stdin {
                println!("User '{username}' created.");
            } else {
                println!("User '{username}' created. One-time password (must be changed at first login):\n{pw}");
            }
            Ok(())
        }
        Command::ImportStaff { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.to_string_lossy().to_string();
            let table = import_file::read_any(&name, &bytes).map_err(|e| match e {
                import_file::FileError::Unreadable(k)
                | import_file::FileError::MissingColumn(k) => anyhow::anyhow!("{}", Lang::Vi.t(k)),
            })?;
            if !table.unknown.is_empty() {
                eprintln!(
                    "{}",
                    Lang::Vi.tf("imp.unknown_columns", table.unknown.join(", "))
                );
            }
            let rows = table.rows;
            let state = canteen::prepare(config, Clock::real())?;
            let (now, today) = (state.clock.now_naive(), state.clock.today());
            let plan = {
                let mut c = state.db.read_conn().map_err(|e| anyhow::anyhow!("{e}"))?;
                import::preview(&mut c, &rows, today).map_err(|e| anyhow::anyhow!("{e}"))?
            };
            let report: Vec<String> = rows
                .iter()
                .zip(plan)
                .filter_map(|(r, o)| match o {
                    import::Outcome::Invalid(ps) => Some(format!(
                        "dòng {}: {}",
                        r.line,
                        ps.iter()
                            .map(|(f, k)| format!("{f}: {}", Lang::Vi.t(k)))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                    _ => None,
                })
                .collect();
            let (n, _) = state
                .db
                .write_tx(move |c| import::apply(c, &Actor::system("cli"), now, today, &rows))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {}, updated {}, unchanged {}, skipped {}",
                n[0], n[1], n[2], n[3]
            );
            for line in &report {
                println!("  {line}");
            }
            if !report.is_empty() {
                bail!("{} row(s) were not imported", report.len());
            }
            Ok(())
        }
        Command::Backup { to } => {
            let (backend, path) = db::parse_url(&config.database_url)?;
            if backend == Backend::Postgres {
                bail!("backup is for SQLite; for PostgreSQL use pg_dump (e.g. pg_dump -Fc \"$DATABASE_URL\" > canteen.dump)");
            }
            db::sqlite_file::backup(&path, &to)?;
            println!(
                "Backup written to {} and checked (integrity_check: ok).",
                to.display()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let (backend, path) = db::parse_url(&config.database_url)?;
            if backend == Backend::Postgres {
                bail!("restore is for SQLite; for PostgreSQL use pg_restore");
            }
            let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
            let kept = db::sqlite_file::restore(&path, &from, &stamp)?;
            println!(
                "Restored {path} from {} (integrity_check: ok).",
                from.display()
            );
            if let Some(k) = kept {
                println!("The replaced database was kept as {}.", k.display());
            }
            Ok(())
        }
        Command::BenchData {
            persons,
            month,
            months,
        } => {
            let first = canteen::ui::format::parse_month(&month)
                .ok_or_else(|| anyhow::anyhow!("--month takes a month like 2026-10"))?;
            let pw = std::env::var("CANTEEN_BENCH_PASSWORD")
                .map_err(|_| anyhow::anyhow!("set CANTEEN_BENCH_PASSWORD"))?;
            let db = db::Db::connect(&config.database_url, 2)?;
            canteen::migrate(&db)?;
            let hash = password::hash(&pw)?;
            let summary = canteen::benchdata::generate(&db, persons, first, months, &hash)?;
            println!("{summary}");
            Ok(())
        }
        Command::BenchPack { month } => {
            canteen::ui::format::parse_month(&month)
                .ok_or_else(|| anyhow::anyhow!("--month takes a month like 2026-09"))?;
            let db = db::Db::connect(&config.database_url, 2)?;
            canteen::migrate(&db)?;
            let took = std::sync::Arc::new(std::sync::Mutex::new(None));
            let out = took.clone();
            let res = db.write_tx(move |c| {
                let digest = canteen::accounting::store::closed(c, &month)?
                    .ok_or(canteen::error::AppError::BadRequest("month.err_not_closed"))?
                    .digest;
                let start = std::time::Instant::now();
                let now = chrono::Utc::now().naive_utc();
                let actor = canteen::audit::Actor::system("bench");
                let info = canteen::stats::pack::generate(c, &actor, now, &month, &digest, &[])?;
                if let Ok(mut t) = out.lock() {
                    *t = Some((start.elapsed(), info.xlsx_sha256));
                }
                // Rolled back: a benchmark leaves no pack behind.
                Err::<(), _>(canteen::error::AppError::internal("rollback"))
            });
            match took.lock().ok().and_then(|t| t.clone()) {
                Some((d, sha)) => {
                    println!(
                        "report pack built in {:.3} s (workbook {sha})",
                        d.as_secs_f64()
                    );
                    Ok(())
                }
                None => Err(anyhow::anyhow!("pack not built: {res:?}")),
            }
        }
        Command::Signers => {
            let db = db::Db::connect(&config.database_url, 1)?;
            let mut c = db.read_conn().map_err(|e| anyhow::anyhow!("{e}"))?;
            let keys =
                canteen::signoff::store::registry(&mut c).map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{}", canteen::signoff::store::registry_text(&keys));
            Ok(())
        }
        Command::ExportMonth { month, to } => {
            let first = canteen::ui::format::parse_month(&month).ok_or_else(|| {
                anyhow::anyhow!("--month takes a month like 2026-10; got {month:?}")
            })?;
            let db = db::Db::connect(&config.database_url, 1)?;
            let mut c = db.read_conn().map_err(|e| anyhow::anyhow!("{e}"))?;
            let key = canteen::periods::month_key(first);
            let e = canteen::signoff::store::export_month(&mut c, &key)
                .map_err(|e| anyhow::anyhow!("{key} has no closed statement ({e})"))?;
            let json = serde_json::to_string_pretty(&e)?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&to)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", to.display()))?;
            std::io::Write::write_all(&mut f, json.as_bytes())?;
            println!(
                "{key}: {} signature(s) written to {}",
                e.signatures.len(),
                to.display()
            );
            Ok(())
        }
        Command::VerifyStatement { file, keys } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let registry = std::fs::read_to_string(&keys)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", keys.display()))?;
            match canteen::signoff::store::verify_exported(&text, &registry) {
                Ok(summary) => {
                    println!("statement ok: {summary}");
                    Ok(())
                }
                Err(problems) => bail!("statement does not verify:\n{}", problems.join("\n")),
            }
        }
        Command::VerifyAudit { expect_head } => {
            let (backend, path) = db::parse_url(&config.database_url)?;
            if backend == Backend::Sqlite {
                db::sqlite_file::require_existing(&path)?;
            }
            let db = db::Db::connect(&config.database_url, 1)?;
            let mut c = db.read_conn().map_err(|e| anyhow::anyhow!("{e}"))?;
            match audit::verify_anchored(&mut c, expect_head.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                audit::Verify::Ok { rows, head } => {
                    println!("audit log ok: {rows} rows, chain intact");
                    let (months, problems) = canteen::signoff::store::verify_all(&mut c)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    if !problems.is_empty() {
                        bail!("signed months do not verify:\n{}", problems.join("\n"));
                    }
                    println!("signed months ok: {months} month(s), statements match their digests and every signature verifies");
                    println!("head: {rows} {head}");
                    Ok(())
                }
                audit::Verify::Broken { id, reason } => {
                    bail!("audit log broken at row {id}: {reason}")
                }
                audit::Verify::HeadMissing {
                    expected,
                    rows,
                    head,
                } => bail!(
                    "audit log trimmed: the anchored head {expected} is no longer on the chain (now {rows} rows, head {head})"
                ),
                audit::Verify::NotAHead(h) => bail!(
                    "--expect-head takes the hash printed by verify-audit (64 hex characters, optionally after the row count); got {h:?}"
                ),
            }
        }
    }
}
