//! PAN handling: masking for everything a person or a log can see (docs/architecture.md, rule 12).

/// First 6 and last 4 digits, the rest as `*`. PANs too short to keep 10 digits are fully masked.
pub fn mask(pan: &str) -> String {
    let len = pan.chars().count();
    if len < 13 {
        return "*".repeat(len);
    }
    let mut masked = String::with_capacity(pan.len());
    masked.extend(
        pan.chars()
            .enumerate()
            .map(|(i, c)| if i < 6 || i >= len.saturating_sub(4) { c } else { '*' }),
    );
    masked
}

/// True for 12 to 19 ASCII digits.
pub fn is_valid_pan(pan: &str) -> bool {
    (12..=19).contains(&pan.len()) && pan.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn masks_all_but_first_six_and_last_four() {
        assert_eq!(mask("6222000000000001"), "622200******0001");
        assert_eq!(mask("6222001234567890123"), "622200*********0123");
        assert_eq!(mask("123"), "***");
    }
}
