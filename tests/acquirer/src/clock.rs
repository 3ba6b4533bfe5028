//! Civil date and time from `now_ms` (the acquirer reads no clock: every call carries the time).

/// A civil date and time at the acquirer's UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LocalTime {
    pub(crate) year: i64,
    pub(crate) month: u8,
    pub(crate) day: u8,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
}

impl LocalTime {
    /// `now_ms` (milliseconds since the Unix epoch, UTC) at `utc_offset_minutes` from UTC.
    pub(crate) fn at(now_ms: u64, utc_offset_minutes: i32) -> LocalTime {
        let offset_ms = i64::from(utc_offset_minutes).saturating_mul(60_000);
        let ms = i64::try_from(now_ms).unwrap_or(i64::MAX).saturating_add(offset_ms);
        let seconds = ms.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // of_day < 86_400, so each part fits a u8.
        LocalTime {
            year,
            month,
            day,
            hour: u8::try_from(of_day / 3600).unwrap_or(0),
            minute: u8::try_from(of_day % 3600 / 60).unwrap_or(0),
            second: u8::try_from(of_day % 60).unwrap_or(0),
        }
    }

    /// `MMDD` (F13, F15, F61.3).
    pub(crate) fn mmdd(&self) -> String {
        format!("{:02}{:02}", self.month, self.day)
    }

    /// `hhmmss` (F12).
    pub(crate) fn hhmmss(&self) -> String {
        format!("{:02}{:02}{:02}", self.hour, self.minute, self.second)
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe
        .saturating_add(era.saturating_mul(400))
        .saturating_add(i64::from(month <= 2));
    (year, u8::try_from(month).unwrap_or(1), u8::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        // 2026-11-21T16:30:05Z is 2026-11-22 00:30:05 at UTC+8.
        let t = LocalTime::at(1_795_278_605_000, 480);
        assert_eq!(
            (t.year, t.mmdd(), t.hhmmss()),
            (2026, "1122".to_owned(), "003005".to_owned())
        );
    }

    #[test]
    fn leap_day() {
        // 2024-02-29T12:00:00Z.
        let t = LocalTime::at(1_709_208_000_000, 0);
        assert_eq!((t.year, t.month, t.day, t.hour), (2024, 2, 29, 12));
    }
}
