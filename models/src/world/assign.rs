//! Kafka partition assignors, pure: partitions and group members in, an owner per partition out.
//!
//! Members are pod ids in member-id order (the group leader sorts by member id; hpasim's member
//! ids follow pod creation order). [`NO_OWNER`] marks a partition without a member (an empty
//! group). Members beyond the partition count get nothing: they sit idle.

use crate::scenario::queue::Assignment;

/// Owner of a partition nobody consumes.
pub const NO_OWNER: u32 = u32::MAX;

/// The owner of each of `partitions` partitions under `strategy`; `previous` (one owner per
/// partition) matters only to the sticky strategy.
pub fn assign(
    strategy: Assignment,
    partitions: u32,
    members: &[u32],
    previous: &[u32],
) -> Vec<u32> {
    match strategy {
        Assignment::Range => range(partitions, members),
        Assignment::RoundRobin => round_robin(partitions, members),
        Assignment::CooperativeSticky => sticky(partitions, members, previous),
    }
}

/// `RangeAssignor`: member k gets a contiguous range; the first `partitions mod members`
/// members get one partition more.
pub fn range(partitions: u32, members: &[u32]) -> Vec<u32> {
    let m = members.len() as u32;
    if m == 0 {
        return vec![NO_OWNER; partitions as usize];
    }
    let (base, extra) = (partitions / m, partitions % m);
    let mut owners = Vec::with_capacity(partitions as usize);
    for (k, &member) in members.iter().enumerate() {
        let count = base + u32::from((k as u32) < extra);
        owners.extend(std::iter::repeat_n(member, count as usize));
    }
    owners
}

/// `RoundRobinAssignor` (one topic): partition i to member i mod members.
pub fn round_robin(partitions: u32, members: &[u32]) -> Vec<u32> {
    if members.is_empty() {
        return vec![NO_OWNER; partitions as usize];
    }
    (0..partitions as usize)
        .map(|i| members[i % members.len()])
        .collect()
}

/// `CooperativeStickyAssignor`: as balanced as range (counts differ by at most one), moving as
/// few partitions as possible: members keep their current partitions up to their quota (the
/// larger quotas go to members that own more), the rest go to the members furthest below quota.
pub fn sticky(partitions: u32, members: &[u32], previous: &[u32]) -> Vec<u32> {
    let m = members.len();
    if m == 0 {
        return vec![NO_OWNER; partitions as usize];
    }
    let (base, mut extra) = (partitions as usize / m, partitions as usize % m);
    let owned = |member: u32| -> Vec<usize> {
        (0..partitions as usize)
            .filter(|&p| previous.get(p) == Some(&member))
            .collect()
    };
    let mut order: Vec<(usize, Vec<usize>)> = (0..m).map(|k| (k, owned(members[k]))).collect();
    order.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut owners = vec![NO_OWNER; partitions as usize];
    let mut quota = vec![base; m];
    let mut count = vec![0usize; m];
    for (k, mine) in &order {
        if extra > 0 && mine.len() > base {
            quota[*k] += 1;
            extra -= 1;
        }
        for &p in mine.iter().take(quota[*k]) {
            owners[p] = members[*k];
            count[*k] += 1;
        }
    }
    for (k, _) in &order {
        if extra > 0 && quota[*k] == base {
            quota[*k] += 1;
            extra -= 1;
        }
    }
    for owner in owners.iter_mut() {
        if *owner != NO_OWNER {
            continue;
        }
        let k = (0..m)
            .filter(|&k| count[k] < quota[k])
            .min_by_key(|&k| (count[k], k))
            .expect("quotas add up to the partition count");
        *owner = members[k];
        count[k] += 1;
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(owners: &[u32], members: &[u32]) -> Vec<usize> {
        members
            .iter()
            .map(|m| owners.iter().filter(|o| *o == m).count())
            .collect()
    }

    #[test]
    fn range_gives_contiguous_blocks_and_the_remainder_to_the_first_members() {
        assert_eq!(range(7, &[10, 11, 12]), [10, 10, 10, 11, 11, 12, 12]);
        assert_eq!(range(2, &[10, 11, 12]), [10, 11]);
        assert_eq!(range(2, &[]), [NO_OWNER, NO_OWNER]);
    }

    #[test]
    fn round_robin_deals_partitions_in_turn() {
        assert_eq!(round_robin(5, &[1, 2]), [1, 2, 1, 2, 1]);
    }

    #[test]
    fn members_beyond_the_partition_count_get_nothing() {
        for s in [
            Assignment::Range,
            Assignment::RoundRobin,
            Assignment::CooperativeSticky,
        ] {
            let members: Vec<u32> = (0..6).collect();
            let owners = assign(s, 4, &members, &[NO_OWNER; 4]);
            let c = counts(&owners, &members);
            assert_eq!(c.iter().filter(|&&n| n == 0).count(), 2, "{s:?}");
            assert!(c.iter().all(|&n| n <= 1));
        }
    }

    #[test]
    fn sticky_keeps_owners_and_moves_only_what_balance_needs() {
        let before = range(12, &[1, 2, 3]);
        let after = sticky(12, &[1, 2, 3, 4], &before);
        let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert_eq!(moved, 3, "{after:?}");
        assert_eq!(counts(&after, &[1, 2, 3, 4]), [3, 3, 3, 3]);
        // A member leaves: only its partitions move.
        let after_leave = sticky(12, &[1, 3, 4], &after);
        let moved = after
            .iter()
            .zip(&after_leave)
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(moved, 3);
        assert_eq!(counts(&after_leave, &[1, 3, 4]), [4, 4, 4]);
    }

    #[test]
    fn sticky_balances_uneven_counts_within_one() {
        let before = vec![1; 10];
        let after = sticky(10, &[1, 2, 3], &before);
        let mut c = counts(&after, &[1, 2, 3]);
        c.sort();
        assert_eq!(c, [3, 3, 4]);
        assert_eq!(after.iter().filter(|&&o| o == 1).count(), 4);
    }
}
