//! Start-up settings (environment or flags), checked before anything is served.
//! Business settings (cut-off, prices, policies) live in the database.

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// Set cookies with `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// How many trusted reverse proxies stand in front (0: none). The client address is then
    /// taken from `X-Forwarded-For`, that many entries from the right.
    pub proxy_hops: usize,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub read_pool_size: u32,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            secure_cookies: false,
            proxy_hops: 0,
            session_idle_minutes: 30,
            session_absolute_hours: 10,
            read_pool_size: 8,
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        crate::db::parse_url(&self.database_url)?;
        anyhow::ensure!(
            (1..=24 * 60).contains(&self.session_idle_minutes),
            "session idle timeout must be 1..1440 minutes"
        );
        anyhow::ensure!(
            (1..=24 * 7).contains(&self.session_absolute_hours),
            "session lifetime must be 1..168 hours"
        );
        anyhow::ensure!(self.proxy_hops <= 8, "trusted proxy hops must be 0..8");
        anyhow::ensure!(
            (1..=256).contains(&self.read_pool_size),
            "read pool size must be 1..256"
        );
        Ok(())
    }

    pub fn idle(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.session_idle_minutes)
    }
    pub fn absolute(&self) -> chrono::Duration {
        chrono::Duration::hours(self.session_absolute_hours)
    }
}
