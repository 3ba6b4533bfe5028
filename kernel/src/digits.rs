//! Zero-padded decimal digits without `core::fmt`. A sale writes a dozen of them (F4, F11, F60,
//! the receipt's date and time) and `format!` goes through dynamic dispatch and padding logic:
//! under the Pulley interpreter that was a tenth of a sale's kernel work (docs/PERFORMANCE.md).

/// Appends `value` in decimal to `out`, left-padded with zeros to `width` digits (more digits if
/// the value needs them, as `{value:0width$}` would).
pub fn push_padded(out: &mut String, value: u64, width: usize) {
    // u64::MAX has 20 digits; the digits are written from the end, then appended as one slice.
    let mut buffer = [b'0'; 20];
    let mut start = buffer.len();
    let mut rest = value;
    loop {
        start = start.saturating_sub(1);
        if let Some(slot) = buffer.get_mut(start) {
            // `rest % 10` is below 10.
            *slot = b'0'.saturating_add(u8::try_from(rest % 10).unwrap_or(0));
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // The buffer is zeros up to the digits: widths up to 20 take them from there.
    let digits = buffer.len().saturating_sub(start);
    for _ in buffer.len()..width {
        out.push('0');
    }
    let from = buffer.len().saturating_sub(width.max(digits));
    out.push_str(core::str::from_utf8(buffer.get(from..).unwrap_or_default()).unwrap_or_default());
}

/// `value` in decimal, left-padded with zeros to `width` digits.
pub fn padded(value: u64, width: usize) -> String {
    let mut out = String::with_capacity(width.max(1));
    push_padded(&mut out, value, width);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_format_for_every_width_and_magnitude() {
        let values = [
            0,
            1,
            9,
            10,
            99,
            100,
            4_321,
            999_999,
            1_000_000,
            123_456_789_012,
            u64::MAX,
        ];
        for value in values {
            for width in 0..=22 {
                assert_eq!(padded(value, width), format!("{value:0width$}"), "{value} to {width}");
            }
        }
    }

    #[test]
    fn appends_after_what_is_there() {
        let mut out = String::from("22");
        push_padded(&mut out, 7, 6);
        push_padded(&mut out, 31, 3);
        assert_eq!(out, "22000007031");
    }
}
