//! Exceptions age by the laptop's local date, not UTC's (issue 19).
//!
//! The test runs this binary again as a child with TZ set (the environment of a running test
//! process is not changed): two zones 26 hours apart, UTC-12 and UTC+14 as POSIX TZ strings (no
//! tzdata needed). At any instant at least one of them is on another date than UTC, so a
//! `today()` that answers in UTC fails here whenever the test runs.

use chrono::{Duration, Utc};
use recon_api::workspace::{local_date_at, today, utc_offset_label};
use std::process::Command;

/// Run by the test below in a child process: prints what the library says in the child's zone.
#[test]
#[ignore = "a helper: run in a child process with TZ set by the test below"]
fn print_today_and_zone() {
    let (date, zone) = local_date_at(Utc::now());
    println!("today={} local={date} zone={zone}", today());
}

fn in_zone(tz: &str) -> (String, String, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "print_today_and_zone",
            "--nocapture",
        ])
        .env("TZ", tz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("today="))
        .unwrap_or_else(|| panic!("no line from the child: {text}"));
    let mut parts = line
        .split(' ')
        .map(|p| p.split_once('=').map_or("", |(_, v)| v));
    let today = parts.next().unwrap_or("").to_string();
    let local = parts.next().unwrap_or("").to_string();
    let zone = parts.next().unwrap_or("").to_string();
    (today, local, zone)
}

#[test]
fn today_is_the_local_date_and_names_its_time_zone() {
    let mut differs_from_utc = 0;
    for (tz, east_hours, label) in [
        ("<-12>12", -12i64, "UTC-12:00"),
        ("<+14>-14", 14, "UTC+14:00"),
    ] {
        // The date may turn between the readings: try again until one pair agrees.
        let (today, zone, expected) = (0..3)
            .map(|_| {
                let before = (Utc::now() + Duration::hours(east_hours)).date_naive();
                let (today, local, zone) = in_zone(tz);
                assert_eq!(today, local, "today() and local_date_at() in {tz}");
                (today, zone, before.to_string())
            })
            .find(|(today, _, expected)| today == expected)
            .unwrap_or_else(|| {
                let expected = (Utc::now() + Duration::hours(east_hours)).date_naive();
                let (today, _, zone) = in_zone(tz);
                (today, zone, expected.to_string())
            });
        assert_eq!(today, expected, "today() in {tz}");
        assert_eq!(zone, label, "the time zone recorded for {tz}");
        differs_from_utc += usize::from(today != Utc::now().date_naive().to_string());
    }
    assert!(
        differs_from_utc >= 1,
        "neither zone was on another date than UTC: the test would not catch a UTC today()"
    );
    assert_eq!(utc_offset_label(0), "UTC");
    assert_eq!(utc_offset_label(-(9 * 3600 + 1800)), "UTC-09:30");
    assert_eq!(utc_offset_label(3600), "UTC+01:00");
}
