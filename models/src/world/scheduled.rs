//! Scheduled scaling in the world: at every window boundary of `scheduled_scaling` the HPA's
//! `minReplicas` is patched to max(the manifest's minReplicas, the floor in force, the
//! predictive floor if any; see [`super::autoscaler::MinFloors`]); the HPA acts on it at its
//! next sync (as after a real `kubectl patch hpa`).
//!
//! ```text
//!  ScheduleBoundary ─▶ floor_at(clock_start + now) ─▶ patched HpaSpec ─▶ next HpaSync clamps
//!        └─▶ next_change_after ─▶ ScheduleBoundary …
//! ```

use super::engine::World;
use super::event::Event;
use chrono::{DateTime, Utc};
use hpasim_sim::{SimDuration, SimTime};

impl World<'_> {
    fn wall_clock(&self, now: SimTime) -> Option<DateTime<Utc>> {
        let cfg = self.sim.scheduled.as_ref()?;
        let ns = i64::try_from(now.as_nanos()).ok()?;
        Some(cfg.clock_start + chrono::Duration::nanoseconds(ns))
    }

    /// Applies the floor in force at time zero and schedules the first boundary.
    pub(super) fn start_schedule(&mut self, now: SimTime) {
        if self.sim.scheduled.is_some() {
            self.on_schedule_boundary(now);
        }
    }

    /// Patches `minReplicas` to the floor in force and schedules the next boundary.
    pub(super) fn on_schedule_boundary(&mut self, now: SimTime) {
        let (Some(cfg), Some(hpa), Some(wall)) = (
            self.sim.scheduled.as_ref(),
            self.sim.hpa.as_ref(),
            self.wall_clock(now),
        ) else {
            return;
        };
        let floor = cfg.schedule.floor_at(wall);
        let state = self
            .hpa
            .as_mut()
            .expect("HPA state exists with an HPA config");
        state.floors.schedule = floor.as_ref().map(|f| f.replicas);
        let (before, after) = state.apply_floors(&hpa.spec);
        if before != after {
            let why = match &floor {
                Some(f) => format!("rule {}", f.rule),
                None => "no rule in force".into(),
            };
            let detail = format!(
                "minReplicas {before} -> {after} ({why}; local {})",
                wall.with_timezone(&cfg.schedule.tz)
                    .format("%a %Y-%m-%d %H:%M %Z")
            );
            self.event(
                now,
                "scheduled_min_replicas",
                format!("hpa/{}", hpa.name),
                detail,
            );
        }
        if let Some(next) = cfg.schedule.next_change_after(wall) {
            let ahead = (next - wall).num_nanoseconds().unwrap_or(i64::MAX);
            let at = now.saturating_add(SimDuration(u64::try_from(ahead).unwrap_or(u64::MAX)));
            if at < self.end {
                self.schedule(at, Event::ScheduleBoundary);
            }
        }
    }
}
