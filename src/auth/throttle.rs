//! Login throttling: at most 10 failures a minute per username and per client address.
//!
//! governor (the crate DESIGN suggests) limits *attempts* and cannot look without spending a
//! cell; the rule here counts *failures* only and must be checked before the password is
//! verified, and it must follow the app's `Clock` so tests can freeze time. Hence this small
//! sliding window.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub const MAX_FAILURES: usize = 10;

pub struct Throttle {
    window: Duration,
    max: usize,
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(MAX_FAILURES, Duration::minutes(1))
    }
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Self {
        Throttle {
            window,
            max,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, ip: &str) -> [String; 2] {
        [
            format!("u:{}", username.trim().to_lowercase()),
            format!("ip:{ip}"),
        ]
    }

    /// True when either key has had `max` failures inside the window.
    pub fn is_blocked(&self, username: &str, ip: &str, now: DateTime<Utc>) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(username, ip)
            .iter()
            .any(|k| match map.get_mut(k) {
                Some(q) => {
                    while q.front().is_some_and(|t| now - *t >= self.window) {
                        q.pop_front();
                    }
                    q.len() >= self.max
                }
                None => false,
            })
    }

    pub fn record_failure(&self, username: &str, ip: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Keep the map from growing without bound under a spray of usernames.
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now - *t < self.window));
        }
        for k in Self::keys(username, ip) {
            let q = map.entry(k).or_default();
            q.push_back(now);
            while q.len() > self.max {
                q.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ten_failures_in_a_minute_block_the_eleventh_attempt_until_the_window_passes() {
        let t = Throttle::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
        for i in 0..10 {
            assert!(!t.is_blocked("An", "1.2.3.4", t0), "blocked after {i}");
            t.record_failure("An", "1.2.3.4", t0 + Duration::seconds(i));
        }
        assert!(
            t.is_blocked("an", "9.9.9.9", t0 + Duration::seconds(30)),
            "by username"
        );
        assert!(
            t.is_blocked("other", "1.2.3.4", t0 + Duration::seconds(30)),
            "by address"
        );
        assert!(!t.is_blocked("an", "9.9.9.9", t0 + Duration::seconds(61)));
    }
}
