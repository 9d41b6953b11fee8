use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 instant")
}

fn rule(name: &str, days: &[&str], from: &str, to: &str, min: u32) -> ScheduleRule {
    let days: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    ScheduleRule {
        name: name.into(),
        days: parse_days(&days).unwrap(),
        from: parse_time(from).unwrap(),
        to: parse_time(to).unwrap(),
        min_replicas: min,
    }
}

fn berlin(rules: Vec<ScheduleRule>) -> Schedule {
    Schedule {
        tz: parse_tz("Europe/Berlin").unwrap(),
        rules,
    }
}

#[test]
fn business_hours_switch_at_08_00_local_on_both_sides_of_the_spring_daylight_saving_change() {
    // Berlin moves from CET (UTC+1) to CEST (UTC+2) on Sunday 2026-03-29 at 02:00.
    let s = berlin(vec![rule("business", &["weekdays"], "08:00", "18:00", 10)]);
    let floor = |t: &str| s.floor_at(utc(t)).map(|f| f.replicas);
    // Friday 27 March, CET: 08:00 local = 07:00 UTC, 18:00 local = 17:00 UTC.
    assert_eq!(floor("2026-03-27T06:59:59Z"), None);
    assert_eq!(floor("2026-03-27T07:00:00Z"), Some(10));
    assert_eq!(floor("2026-03-27T16:59:59Z"), Some(10));
    assert_eq!(floor("2026-03-27T17:00:00Z"), None);
    // The weekend has no floor.
    assert_eq!(floor("2026-03-28T10:00:00Z"), None);
    // Monday 30 March, CEST: 08:00 local = 06:00 UTC.
    assert_eq!(floor("2026-03-30T05:59:59Z"), None);
    assert_eq!(floor("2026-03-30T06:00:00Z"), Some(10));
    assert_eq!(floor("2026-03-30T16:00:00Z"), None);
    // The boundaries, one after another, are exactly those instants.
    let mut t = utc("2026-03-27T00:00:00Z");
    let mut seen = Vec::new();
    for _ in 0..4 {
        t = s.next_change_after(t).unwrap();
        seen.push(t.to_rfc3339());
    }
    assert_eq!(
        seen,
        [
            "2026-03-27T07:00:00+00:00",
            "2026-03-27T17:00:00+00:00",
            "2026-03-30T06:00:00+00:00",
            "2026-03-30T16:00:00+00:00"
        ]
    );
}

#[test]
fn autumn_change_a_repeated_local_time_resolves_to_its_first_occurrence() {
    // Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice
    // (00:30 UTC and 01:30 UTC); 03:30 CET is 02:30 UTC.
    let s = berlin(vec![rule("night-batch", &[], "02:30", "03:30", 4)]);
    let (start, end) = s.rules[0]
        .window(s.tz, NaiveDate::from_ymd_opt(2026, 10, 25).unwrap())
        .unwrap();
    assert_eq!(start, utc("2026-10-25T00:30:00Z"));
    assert_eq!(
        end,
        utc("2026-10-25T02:30:00Z"),
        "two hours long that night"
    );
    assert_eq!(s.floor_at(utc("2026-10-25T00:29:59Z")), None);
    assert_eq!(
        s.floor_at(utc("2026-10-25T01:45:00Z")).map(|f| f.replicas),
        Some(4)
    );
}

#[test]
fn spring_change_a_skipped_local_time_resolves_to_the_end_of_the_gap() {
    // 2026-03-29 02:00–03:00 does not exist in Berlin: 02:30 becomes 03:00 CEST = 01:00 UTC.
    let s = berlin(vec![rule("night-batch", &[], "02:30", "04:00", 4)]);
    let (start, end) = s.rules[0]
        .window(s.tz, NaiveDate::from_ymd_opt(2026, 3, 29).unwrap())
        .unwrap();
    assert_eq!(start, utc("2026-03-29T01:00:00Z"));
    assert_eq!(end, utc("2026-03-29T02:00:00Z"));
}

#[test]
fn new_york_switches_on_its_own_date_not_europes() {
    // US daylight saving starts 2026-03-08: 09:00 EST = 14:00 UTC before, 09:00 EDT = 13:00 UTC after.
    let s = Schedule {
        tz: parse_tz("America/New_York").unwrap(),
        rules: vec![rule(
            "open",
            &["mon", "tue", "wed", "thu", "fri"],
            "09:00",
            "17:00",
            6,
        )],
    };
    assert_eq!(
        s.next_change_after(utc("2026-03-06T00:00:00Z")).unwrap(),
        utc("2026-03-06T14:00:00Z")
    );
    assert_eq!(
        s.next_change_after(utc("2026-03-07T00:00:00Z")).unwrap(),
        utc("2026-03-09T13:00:00Z")
    );
}

#[test]
fn overnight_windows_belong_to_the_day_they_start_and_the_highest_floor_wins() {
    let s = berlin(vec![
        rule("friday-night", &["fri"], "22:00", "06:00", 3),
        rule("saturday-sale", &["sat"], "05:00", "12:00", 8),
    ]);
    // Saturday 2026-01-10 03:00 CET = 02:00 UTC: the Friday window still runs.
    let f = s.floor_at(utc("2026-01-10T02:00:00Z")).unwrap();
    assert_eq!((f.replicas, f.rule.as_str()), (3, "friday-night"));
    // 05:30 CET: both run, the sale's 8 wins.
    let f = s.floor_at(utc("2026-01-10T04:30:00Z")).unwrap();
    assert_eq!((f.replicas, f.rule.as_str()), (8, "saturday-sale"));
    // Saturday 22:00: the Friday rule does not start on Saturdays.
    assert_eq!(s.floor_at(utc("2026-01-10T21:30:00Z")), None);
}

#[test]
fn bad_times_days_and_zones_say_what_to_write() {
    assert!(parse_time("8am").unwrap_err().contains("HH:MM"));
    assert!(parse_time("24:00").is_err());
    let e = parse_days(&["funday".into()]).unwrap_err();
    assert!(e.contains("mon … sun, weekdays, weekends or daily"), "{e}");
    let e = parse_tz("Europe/Berlinn").unwrap_err();
    assert!(e.contains("IANA time zone"), "{e}");
    assert_eq!(
        parse_days(&["Sat".into(), "sunday".into()]).unwrap(),
        [false, false, false, false, false, true, true]
    );
}
