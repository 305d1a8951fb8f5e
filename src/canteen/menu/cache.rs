//! The menus of the coming weeks as the ordering grid reads them (settings, service calendar,
//! options), kept in memory between requests.
//!
//! Every "My week" page needs them and they change a few times a week, so reading and
//! decoding them on every page was a fifth of the page's time. A copy is used only while the
//! database's `menu` counter (`data_versions`, bumped by triggers on `meal_options`,
//! `service_days` and `settings` — whoever writes, through whichever path or server) still
//! has the value it had when the copy was read: one indexed read per page instead of three
//! queries. The counter is read before the data, so a copy is never older than its counter.

use crate::canteen::rules::{DayRow, Settings};
use crate::canteen::store::{self, MealOption};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Duration, NaiveDate};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How far ahead of today the grid can reach: the longest ordering horizon, and meals booked
/// before the horizon was shortened (`week::load`).
pub const REACH_DAYS: i64 = 60;

/// The settings, the calendar rows and the options of `from..=to`.
#[derive(Debug, Clone)]
pub struct MenuSnapshot {
    pub settings: Settings,
    pub rows: HashMap<NaiveDate, DayRow>,
    /// In the order of `store::options_between`: by day, position, id. Shared, so that a
    /// page's days take their options without copying their texts.
    pub options: Vec<Arc<MealOption>>,
    /// Each day's `store::day_hash` of its options (days without options are absent).
    pub marks: HashMap<NaiveDate, u64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl MenuSnapshot {
    /// Read from the database (no cache): what the grid of `today` can show.
    pub fn load(conn: &mut DbConn, today: NaiveDate) -> Result<MenuSnapshot, AppError> {
        let from = crate::canteen::week::span(today, 1).0;
        MenuSnapshot::load_range(conn, from, today + Duration::days(REACH_DAYS))
    }

    /// Read from the database (no cache): the days `from..=to`.
    pub fn load_range(
        conn: &mut DbConn,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<MenuSnapshot, AppError> {
        let options: Vec<Arc<MealOption>> = store::options_between(conn, from, to)?
            .into_iter()
            .map(Arc::new)
            .collect();
        let mut marks = HashMap::new();
        // The options come by day: each day's run is hashed once here, not on every page.
        for day_options in options.chunk_by(|a, b| a.service_date == b.service_date) {
            marks.insert(
                day_options[0].service_date,
                store::day_hash(day_options.iter().map(|o| &**o)),
            );
        }
        Ok(MenuSnapshot {
            settings: store::load_settings(conn)?,
            rows: store::day_rows(conn, from, to)?,
            options,
            marks,
            from,
            to,
        })
    }

    /// Whether it holds the days `from..=to`.
    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.from <= from && to <= self.to
    }

    /// The mark of `day`'s options as a page shows them (`store::day_hash`).
    pub fn mark(&self, day: NaiveDate) -> u64 {
        match self.marks.get(&day) {
            Some(h) => *h,
            None => store::day_hash([]),
        }
    }

    /// The options of `from..=to`, in order.
    pub fn options_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &Arc<MealOption>> + '_ {
        self.options
            .iter()
            .filter(move |o| from <= o.service_date && o.service_date <= to)
    }
}

/// One copy per server (in `AppState`), replaced when the counter or the day moves on.
#[derive(Default)]
pub struct MenuCache {
    slot: Mutex<Option<(i64, NaiveDate, Arc<MenuSnapshot>)>>,
}

impl MenuCache {
    /// The menus for the grid of `today`: the kept copy while the counter has not moved,
    /// else read again (and kept).
    pub fn get(&self, conn: &mut DbConn, today: NaiveDate) -> Result<Arc<MenuSnapshot>, AppError> {
        self.current(conn, today)
    }

    /// The menus of `from..=to`: the copy when it holds them all, else read straight from the
    /// database (a form sent with days long past or far ahead); `v` is the counter already
    /// read by the caller (see `at_version`).
    pub fn get_covering(
        &self,
        conn: &mut DbConn,
        today: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
        v: i64,
    ) -> Result<Arc<MenuSnapshot>, AppError> {
        let snap = self.at_version(conn, today, v)?;
        if snap.covers(from, to) {
            return Ok(snap);
        }
        Ok(Arc::new(MenuSnapshot::load_range(conn, from, to)?))
    }

    /// The kept copy for the grid of `today`, when the counter `v` has not moved since it
    /// was read; `None` when the menus must be read again.
    pub fn kept(&self, today: NaiveDate, v: i64) -> Option<Arc<MenuSnapshot>> {
        let slot = self.slot.lock().ok()?;
        slot.as_ref()
            .filter(|(kv, kday, _)| *kv == v && *kday == today)
            .map(|(_, _, snap)| snap.clone())
    }

    fn current(&self, conn: &mut DbConn, today: NaiveDate) -> Result<Arc<MenuSnapshot>, AppError> {
        let v = store::menu_version(conn)?;
        self.at_version(conn, today, v)
    }

    /// Like `get`, with the counter `v` already read by the caller (in the same statement as
    /// its other rows: `ordering::person_week`). It must have been read on `conn` before any
    /// of the menus' rows are, as `get` does.
    pub fn at_version(
        &self,
        conn: &mut DbConn,
        today: NaiveDate,
        v: i64,
    ) -> Result<Arc<MenuSnapshot>, AppError> {
        if let Some(snap) = self.kept(today, v) {
            return Ok(snap);
        }
        let snap = Arc::new(MenuSnapshot::load(conn, today)?);
        // Only what is committed is kept: inside a write transaction the rows (and the
        // counter) may still be rolled back, and the counter would then be reused.
        if crate::db::in_transaction(conn) {
            return Ok(snap);
        }
        if let Ok(mut slot) = self.slot.lock() {
            // Keep the newer copy when two requests read at once.
            if slot
                .as_ref()
                .is_none_or(|(kv, kday, _)| (*kday, *kv) <= (today, v))
            {
                *slot = Some((v, today, snap.clone()));
            }
        }
        Ok(snap)
    }
}
