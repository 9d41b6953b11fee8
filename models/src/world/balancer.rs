//! Picking a Ready pod for a request (push policies). `shared_queue` is not here: it is a
//! central queue that free workers pull from (see the engine).

use super::pod::Pod;
use crate::scenario::BalancePolicy;
use hpasim_sim::StreamRng;
use rand::Rng;

/// Balancer state: the round-robin cursor.
#[derive(Debug, Default)]
pub struct Balancer {
    cursor: usize,
}

/// A uniform index in `0..n` from one 64-bit draw (Lemire's multiply-shift; bias < n / 2^64).
#[inline]
fn uniform_index(rng: &mut StreamRng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

impl Balancer {
    /// The endpoint (index into `endpoints`) that gets the next request, or `None` when there
    /// are no endpoints.
    pub fn pick(
        &mut self,
        policy: BalancePolicy,
        endpoints: &[u32],
        pods: &[Pod],
        rng: &mut StreamRng,
    ) -> Option<u32> {
        let n = endpoints.len();
        if n == 0 {
            return None;
        }
        let load = |k: usize| pods[endpoints[k] as usize].in_flight();
        let k = match policy {
            BalancePolicy::RoundRobin | BalancePolicy::SharedQueue => {
                let k = self.cursor % n;
                self.cursor = (k + 1) % n;
                k
            }
            BalancePolicy::Random => uniform_index(rng, n),
            BalancePolicy::LeastConnections => {
                // Scan from the cursor so that ties rotate instead of piling onto one pod.
                let start = self.cursor % n;
                let mut best = start;
                for step in 1..n {
                    let k = (start + step) % n;
                    if load(k) < load(best) {
                        best = k;
                    }
                }
                self.cursor = (best + 1) % n;
                best
            }
            BalancePolicy::PowerOfTwo => {
                if n == 1 {
                    0
                } else {
                    let a = uniform_index(rng, n);
                    let mut b = uniform_index(rng, n - 1);
                    if b >= a {
                        b += 1;
                    }
                    if load(b) < load(a) {
                        b
                    } else {
                        a
                    }
                }
            }
        };
        Some(endpoints[k])
    }
}
