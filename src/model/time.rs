//! The build's timestamp (`SOURCE_DATE_EPOCH` when set, for reproducible builds, else now)
//! and dates as both outputs print them.

use std::time::{SystemTime, UNIX_EPOCH};

/// When the build happens, for the outputs' dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub epoch: i64,
    /// True when it came from SOURCE_DATE_EPOCH.
    pub reproducible: bool,
}

impl Timestamp {
    /// Reads SOURCE_DATE_EPOCH; an unreadable value is an error message.
    pub fn from_env() -> Result<Timestamp, String> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|e| *e >= 0)
                .map(|epoch| Timestamp {
                    epoch,
                    reproducible: true,
                })
                .ok_or_else(|| {
                    format!("SOURCE_DATE_EPOCH=\"{v}\" is not a number of seconds since 1970")
                }),
            Err(_) => Ok(Timestamp::now()),
        }
    }

    /// The current time (not reproducible).
    pub fn now() -> Timestamp {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp {
            epoch,
            reproducible: false,
        }
    }

    /// A fixed time, as SOURCE_DATE_EPOCH gives it.
    pub fn fixed(epoch: i64) -> Timestamp {
        Timestamp {
            epoch,
            reproducible: true,
        }
    }

    /// (year, month, day, hour, minute, second) in UTC.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.epoch.div_euclid(86_400);
        let secs = self.epoch.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (
            y,
            m,
            d,
            (secs / 3600) as u32,
            (secs % 3600 / 60) as u32,
            (secs % 60) as u32,
        )
    }

    /// `2000-01-01T00:00:00Z`
    pub fn iso(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// "2000-09" → "September 2000".
pub fn human_date(d: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = d.split('-').collect();
    let month = |m: &str| {
        m.parse::<usize>()
            .ok()
            .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
            .copied()
    };
    match parts.as_slice() {
        [y, m] => month(m).map_or(d.to_string(), |m| format!("{m} {y}")),
        [y, m, day] => month(m).map_or(d.to_string(), |m| {
            format!("{} {m} {y}", day.trim_start_matches('0'))
        }),
        _ => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(Timestamp::fixed(0).iso(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::fixed(946_684_800).iso(), "2000-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::fixed(1_709_210_096).iso(),
            "2024-02-29T12:34:56Z"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(human_date("2000-09"), "September 2000");
        assert_eq!(human_date("2020-07-28"), "28 July 2020");
        assert_eq!(human_date("1892"), "1892");
    }
}
