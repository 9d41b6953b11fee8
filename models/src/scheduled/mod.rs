//! Scheduled scaling (issue #9, groundwork): time-of-day and day-of-week rules that raise the
//! replica floor ahead of known peaks, evaluated in an IANA time zone. Pure: every function
//! takes the instant it decides on; nothing reads a clock.
//!
//! ```text
//!  rule "business-hours": Mon–Fri 08:00–18:00 Europe/Berlin, at least 10 replicas
//!
//!  local  ──07:59──┬──08:00 ······ 17:59──┬──18:00──
//!  floor   none    │        10            │  none
//!                  └ start (inclusive)    └ end (exclusive): the window is [from, to)
//! ```
//!
//! Rules and their semantics:
//! - A rule is active on its days (`days` empty = every day) from `from` (inclusive) to `to`
//!   (exclusive), in local time. `to` ≤ `from` means the window runs past midnight and ends the
//!   next day (a Friday 22:00–06:00 rule covers Saturday 00:00–06:00); a window belongs to the
//!   day it starts on.
//! - The floor at an instant is the largest `min_replicas` of the rules active then (None when
//!   none is): the world combines it with the HPA by max, like a raised `minReplicas`.
//! - Local times that do not exist (the spring-forward gap) resolve to the first local minute
//!   after the gap (02:30 on the night Berlin skips 02:00–03:00 is 03:00 CEST, 01:00 UTC);
//!   local times that occur twice (fall-back) resolve to the first occurrence (CEST), as
//!   cron implementations commonly do.
//! - [`Schedule::next_change_after`] gives the next instant the floor may change, so the world
//!   schedules one event per boundary instead of polling.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// One rule, compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRule {
    /// Name, for events and reasons.
    pub name: String,
    /// Days the window may start on, Monday = 0 … Sunday = 6; all days when every entry is
    /// true.
    pub days: [bool; 7],
    /// Window start, local time (inclusive).
    pub from: NaiveTime,
    /// Window end, local time (exclusive); at or before `from`: the next day.
    pub to: NaiveTime,
    /// Replica floor while active [replicas].
    pub min_replicas: u32,
}

/// A set of rules in one time zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// The time zone local times are read in.
    pub tz: Tz,
    /// The rules.
    pub rules: Vec<ScheduleRule>,
}

/// The floor in force and the rule that sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floor {
    /// Replica floor [replicas].
    pub replicas: u32,
    /// Name of the rule giving it (the first listed among equals).
    pub rule: String,
}

/// The instant local `date` `time` denotes in `tz`: the earlier of two (fall-back), the
/// first valid minute after a gap (spring-forward).
pub fn resolve_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    // Gaps are at most a few hours; 24 h of minutes bounds the search for any zone.
    for _ in 0..=24 * 60 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {
                local = local
                    .with_second(0)
                    .unwrap_or(local)
                    .checked_add_signed(Duration::minutes(1))
                    .unwrap_or(local);
            }
        }
    }
    Utc.from_utc_datetime(&date.and_time(time))
}

impl ScheduleRule {
    /// The window starting on local `date`, if the rule runs that day: [start, end) in UTC.
    pub fn window(&self, tz: Tz, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let weekday = date.weekday().num_days_from_monday() as usize;
        if !self.days[weekday] {
            return None;
        }
        let start = resolve_local(tz, date, self.from);
        let end_date = if self.to <= self.from {
            date.succ_opt()?
        } else {
            date
        };
        let end = resolve_local(tz, end_date, self.to);
        (end > start).then_some((start, end))
    }
}

impl Schedule {
    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The floor at `now`: the largest `min_replicas` among the active rules.
    pub fn floor_at(&self, now: DateTime<Utc>) -> Option<Floor> {
        let today = self.local_date(now);
        let mut best: Option<Floor> = None;
        for rule in &self.rules {
            let active = [today.pred_opt(), Some(today)]
                .into_iter()
                .flatten()
                .filter_map(|d| rule.window(self.tz, d))
                .any(|(start, end)| start <= now && now < end);
            if active && best.as_ref().is_none_or(|b| rule.min_replicas > b.replicas) {
                best = Some(Floor {
                    replicas: rule.min_replicas,
                    rule: rule.name.clone(),
                });
            }
        }
        best
    }

    /// The first window boundary strictly after `now` (within the next 8 local days), where
    /// the floor may change.
    pub fn next_change_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_date(now);
        let mut next: Option<DateTime<Utc>> = None;
        for rule in &self.rules {
            for k in -1..=8 {
                let Some(date) = today.checked_add_signed(Duration::days(k)) else {
                    continue;
                };
                let Some((start, end)) = rule.window(self.tz, date) else {
                    continue;
                };
                for t in [start, end] {
                    if t > now && next.is_none_or(|n| t < n) {
                        next = Some(t);
                    }
                }
            }
        }
        next
    }
}

/// Parses `HH:MM` (24 h) local time, for the scenario loader.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        format!(
            "`{text}` is not a time of day: write HH:MM on a 24-hour clock, e.g. 08:00 or 18:30"
        )
    })
}

/// Parses day names: `mon` … `sun` (or full names), `weekdays`, `weekends`, `daily`.
pub fn parse_days(names: &[String]) -> Result<[bool; 7], String> {
    if names.is_empty() {
        return Ok([true; 7]);
    }
    let mut days = [false; 7];
    for name in names {
        let n = name.trim().to_ascii_lowercase();
        match n.as_str() {
            "weekdays" => days[..5].iter_mut().for_each(|d| *d = true),
            "weekends" => days[5..].iter_mut().for_each(|d| *d = true),
            "daily" => days = [true; 7],
            _ => {
                const NAMES: [&str; 7] = [
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                ];
                let k = NAMES
                    .iter()
                    .position(|full| n.len() >= 3 && full.starts_with(&n))
                    .ok_or_else(|| {
                        format!("`{name}` is not a day: use mon … sun, weekdays, weekends or daily")
                    })?;
                days[k] = true;
            }
        }
    }
    Ok(days)
}

/// Parses an IANA time zone name (`Europe/Berlin`, `UTC`).
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("`{name}` is not an IANA time zone name: write e.g. Europe/Berlin, America/New_York or UTC")
    })
}

#[cfg(test)]
mod tests;
