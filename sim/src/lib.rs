//! # hpasim-sim: the discrete-event kernel
//!
//! This crate knows nothing about Kubernetes. It provides four things, each small enough to
//! read in one sitting:
//!
//! 1. [`SimTime`] and [`SimDuration`]: integer nanoseconds. No floating-point clock.
//! 2. [`EventQueue`]: the future event list. Events pop by time, then by insertion order
//!    (FIFO among equal times). Scheduling into the past is an error. Cancellation is by key.
//! 3. [`Streams`]: named random streams derived from (master seed, replication, name), so that
//!    policy variants see common random numbers.
//! 4. [`stats`]: HDR latency histograms, time-weighted averages, counters and the interval
//!    sampler, which models feed and reports read.
//!
//! A model drives the kernel with a loop like this one; the kernel never calls back into it:
//!
//! ```
//! use hpasim_sim::{EventQueue, SimDuration, SimTime};
//!
//! enum Event { Tick(u32) }
//! let mut queue = EventQueue::with_capacity(16);
//! queue.schedule(SimTime::ZERO, Event::Tick(0)).unwrap();
//! let end = SimTime::ZERO + SimDuration::from_secs(3);
//! let mut ticks = 0;
//! while let Some((now, Event::Tick(n))) = queue.pop() {
//!     if now > end { break; }
//!     ticks += 1;
//!     queue.schedule(now + SimDuration::SECOND, Event::Tick(n + 1)).unwrap();
//! }
//! assert_eq!(ticks, 4); // t = 0, 1, 2, 3 s
//! ```

#![warn(missing_docs)]

pub mod queue;
pub mod random;
pub mod semaphore;
pub mod stats;
pub mod time;

pub use queue::{EventKey, EventQueue, ScheduleError};
pub use random::{StreamRng, Streams};
pub use semaphore::{Acquire, Semaphore};
pub use time::{SimDuration, SimTime, NANOS_PER_SEC};
