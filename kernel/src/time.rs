//! Time as the host gives it. The kernel never reads a clock: every input carries a [`Timestamp`].

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC), as read by the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// This instant plus `ms` milliseconds (saturating: a deadline never wraps to the past).
    pub fn plus_ms(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// The civil date and time at `utc_offset_minutes` from UTC.
    pub fn local(self, utc_offset_minutes: i32) -> LocalDateTime {
        let offset_ms = i64::from(utc_offset_minutes).saturating_mul(60_000);
        let ms = i64::try_from(self.0).unwrap_or(i64::MAX).saturating_add(offset_ms);
        let seconds = ms.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // Each value is bounded by the arithmetic above (of_day < 86_400), so the conversions hold.
        LocalDateTime {
            year,
            month,
            day,
            hour: u8::try_from(of_day / 3600).unwrap_or(0),
            minute: u8::try_from(of_day % 3600 / 60).unwrap_or(0),
            second: u8::try_from(of_day % 60).unwrap_or(0),
        }
    }
}

/// A civil date and time in the terminal's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDateTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl LocalDateTime {
    /// `MMDD`, as in F13 and F61.3.
    pub fn mmdd(&self) -> String {
        format!("{:02}{:02}", self.month, self.day)
    }

    /// `hhmmss`, as in F12.
    pub fn hhmmss(&self) -> String {
        format!("{:02}{:02}{:02}", self.hour, self.minute, self.second)
    }

    /// `YYYY-MM-DD hh:mm:ss`, for receipts.
    pub fn display(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u8::try_from(month).unwrap_or(1), u8::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn local_time_in_beijing() {
        // 2026-11-21T16:30:05Z is 2026-11-22 00:30:05 at UTC+8 (checked with `date -u -d @1795278605`).
        let t = Timestamp(1_795_278_605_000);
        let local = t.local(480);
        assert_eq!(local.display(), "2026-11-22 00:30:05");
        assert_eq!(local.mmdd(), "1122");
        assert_eq!(local.hhmmss(), "003005");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn epoch_and_leap_day() {
        assert_eq!(Timestamp(0).local(0).display(), "1970-01-01 00:00:00");
        // 2024-02-29T12:00:00Z = 1709208000 s.
        assert_eq!(Timestamp(1_709_208_000_000).local(0).display(), "2024-02-29 12:00:00");
    }
}
