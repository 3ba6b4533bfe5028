//! Time as the host gives it. The kernel never reads a clock: every input carries a [`Timestamp`].

use serde::{Deserialize, Serialize};

use crate::digits::push_padded;

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
        let mut out = String::with_capacity(4);
        push_padded(&mut out, u64::from(self.month), 2);
        push_padded(&mut out, u64::from(self.day), 2);
        out
    }

    /// `hhmmss`, as in F12.
    pub fn hhmmss(&self) -> String {
        let mut out = String::with_capacity(6);
        for part in [self.hour, self.minute, self.second] {
            push_padded(&mut out, u64::from(part), 2);
        }
        out
    }

    /// `YYYY-MM-DD hh:mm:ss`, for receipts.
    pub fn display(&self) -> String {
        // Years before 1 AD do not occur on a terminal; `format!` keeps them exact.
        let Ok(year) = u64::try_from(self.year) else {
            return format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                self.year, self.month, self.day, self.hour, self.minute, self.second
            );
        };
        let mut out = String::with_capacity(19);
        push_padded(&mut out, year, 4);
        for (separator, part) in [
            ('-', self.month),
            ('-', self.day),
            (' ', self.hour),
            (':', self.minute),
            (':', self.second),
        ] {
            out.push(separator);
            push_padded(&mut out, u64::from(part), 2);
        }
        out
    }
}

/// A civil date (a statement's settlement date, a transaction's local date): the day number
/// since 1970-01-01 underneath, so dates compare and add days without calendars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct CivilDate(pub i64);

impl CivilDate {
    /// `YYYYMMDD` (as a statement header writes it), or `None` if it is not a real date.
    pub fn parse_yyyymmdd(text: &str) -> Option<CivilDate> {
        if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i64 = text.get(0..4)?.parse().ok()?;
        let month: u8 = text.get(4..6)?.parse().ok()?;
        let day: u8 = text.get(6..8)?.parse().ok()?;
        CivilDate::from_ymd(year, month, day)
    }

    /// The date, or `None` for a month or day that does not exist.
    pub fn from_ymd(year: i64, month: u8, day: u8) -> Option<CivilDate> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(CivilDate(days_from_civil(year, month, day)))
    }

    /// The local date of `date_time` (`YYYY-MM-DD hh:mm:ss`, as the journal keeps it).
    pub fn of_date_time(date_time: &str) -> Option<CivilDate> {
        let year: i64 = date_time.get(0..4)?.parse().ok()?;
        let month: u8 = date_time.get(5..7)?.parse().ok()?;
        let day: u8 = date_time.get(8..10)?.parse().ok()?;
        CivilDate::from_ymd(year, month, day)
    }

    pub fn plus_days(self, days: i64) -> CivilDate {
        CivilDate(self.0.saturating_add(days))
    }

    pub fn ymd(self) -> (i64, u8, u8) {
        civil_from_days(self.0)
    }

    /// `YYYYMMDD`.
    pub fn yyyymmdd(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}{m:02}{d:02}")
    }

    /// `YYYY-MM-DD`, for people.
    pub fn display(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }
}

impl LocalDateTime {
    pub fn date(&self) -> CivilDate {
        CivilDate(days_from_civil(self.year, self.month, self.day))
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    #![allow(clippy::unwrap_used)]
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

    #[wasm_bindgen_test(unsupported = test)]
    fn civil_dates_round_trip_and_add_days() {
        let leap = CivilDate::parse_yyyymmdd("20240229").unwrap();
        assert_eq!(leap.plus_days(1).yyyymmdd(), "20240301");
        assert_eq!(
            CivilDate::parse_yyyymmdd("20261231").unwrap().plus_days(1).yyyymmdd(),
            "20270101"
        );
        assert_eq!(CivilDate::parse_yyyymmdd("20250229"), None);
        assert_eq!(CivilDate::parse_yyyymmdd("2026113"), None);
        assert_eq!(
            CivilDate::of_date_time("2026-11-21 10:00:00"),
            CivilDate::parse_yyyymmdd("20261121")
        );
        assert_eq!(Timestamp(1_795_278_605_000).local(480).date().yyyymmdd(), "20261122");
        assert_eq!(CivilDate::parse_yyyymmdd("19700101"), Some(CivilDate(0)));
    }
}
