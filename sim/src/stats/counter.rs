//! Event counters with a per-interval view.

/// A monotone count, with the part counted since the last interval closed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counter {
    total: u64,
    at_interval_start: u64,
}

impl Counter {
    /// Counts one more.
    #[inline]
    pub fn incr(&mut self) {
        self.total += 1;
    }

    /// Counts `n` more.
    #[inline]
    pub fn add(&mut self, n: u64) {
        self.total += n;
    }

    /// Everything counted so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Counted since the last close; starts a new interval.
    pub fn close_interval(&mut self) -> u64 {
        let d = self.total - self.at_interval_start;
        self.at_interval_start = self.total;
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_count_only_what_happened_inside_them() {
        let mut c = Counter::default();
        c.incr();
        c.add(4);
        assert_eq!(c.close_interval(), 5);
        c.incr();
        assert_eq!(c.close_interval(), 1);
        assert_eq!(c.close_interval(), 0);
        assert_eq!(c.total(), 6);
    }
}
