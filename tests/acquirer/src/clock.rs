//! Civil date and time from `now_ms` (the acquirer reads no clock: every call carries the time).
//! The conversion is the kernel's, so terminal and bank agree on every date.

pub(crate) use pos_kernel::time::LocalDateTime as LocalTime;
use pos_kernel::time::Timestamp;

/// `now_ms` (milliseconds since the Unix epoch, UTC) at `utc_offset_minutes` from UTC.
pub(crate) fn local_time(now_ms: u64, utc_offset_minutes: i32) -> LocalTime {
    Timestamp(now_ms).local(utc_offset_minutes)
}
