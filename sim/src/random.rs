//! Named random streams (common random numbers).
//!
//! Every stochastic source asks for its own stream by name: `streams.get("arrivals")`. The
//! stream's seed is derived from the run's master seed, the replication number and the name
//! (FNV-1a of the name, mixed through SplitMix64), never from anything a policy variant changes.
//! Two variants run with the same seed therefore see the same arrivals and the same service
//! demands: their difference is the policy, not noise.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: xoshiro256++ (fast, 256-bit state, passes BigCrush).
pub type StreamRng = Xoshiro256PlusPlus;

/// Derives named, independent random streams from one master seed.
#[derive(Clone, Debug)]
pub struct Streams {
    master_seed: u64,
    replication: u64,
}

impl Streams {
    /// Streams for replication `replication` of a run with master seed `master_seed`.
    pub fn new(master_seed: u64, replication: u64) -> Streams {
        Streams {
            master_seed,
            replication,
        }
    }

    /// The master seed these streams derive from.
    pub fn master_seed(&self) -> u64 {
        self.master_seed
    }

    /// A fresh generator for the stream called `name`. Asking twice for the same name gives two
    /// generators that produce the same sequence.
    pub fn get(&self, name: &str) -> StreamRng {
        let mut state =
            splitmix64(self.master_seed ^ splitmix64(self.replication ^ 0x5851_f42d_4c95_7f2d));
        state ^= fnv1a(name.as_bytes());
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_exact_mut(8) {
            state = splitmix64(state);
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        StreamRng::from_seed(seed)
    }
}

/// One step of SplitMix64 (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a hash of a byte string (stable across platforms and Rust versions).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn the_same_name_gives_the_same_sequence() {
        let s = Streams::new(42, 0);
        let (mut a, mut b) = (s.get("arrivals"), s.get("arrivals"));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn names_seeds_and_replications_give_different_sequences() {
        let first = |s: &Streams, n: &str| s.get(n).next_u64();
        let s = Streams::new(42, 0);
        assert_ne!(first(&s, "arrivals"), first(&s, "service"));
        assert_ne!(
            first(&s, "arrivals"),
            first(&Streams::new(43, 0), "arrivals")
        );
        assert_ne!(
            first(&s, "arrivals"),
            first(&Streams::new(42, 1), "arrivals")
        );
    }
}
