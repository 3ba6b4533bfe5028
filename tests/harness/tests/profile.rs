//! Every request frame in every vector, checked against the message tables of PROFILE.md §3 and
//! §7 (as docs/profile.md says the code implements them): MTI, F3, F25, 60.1 and 60.3 pick the
//! row; the row says which fields must be there and which may. A frame no row describes, a field
//! missing or one too many fails. Every row must be exercised by some vector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use pos_harness::vector::Vector;
use pos_harness::vectors_dir;
use pos_kernel::codec::{Frame, Message};
use pos_kernel::Output;

/// One row of the tables.
struct Row {
    name: &'static str,
    mti: u16,
    /// F3, or None where the row takes the original's (reversal, script advice) or has none.
    f3: Option<&'static str>,
    f25: Option<&'static str>,
    /// 60.1 and 60.3.
    f60: (&'static str, &'static [&'static str]),
    required: &'static [u8],
    optional: &'static [u8],
}

/// The card fields a card request may carry when the card gave them (§3, `opt`).
const CARD_OPTIONAL: &[u8] = &[14, 23, 26, 35, 36, 52, 53, 55];
const NO_CHIP: &[u8] = &[14, 23, 35, 36];
const SALE: &[u8] = &[2, 3, 4, 11, 22, 25, 41, 42, 49, 60, 64];

fn rows() -> Vec<Row> {
    let card = |name, mti, f3, f25, kind, extra: &'static [u8]| Row {
        name,
        mti,
        f3: Some(f3),
        f25: Some(f25),
        f60: (kind, &["000"]),
        required: leak([SALE, extra].concat()),
        optional: CARD_OPTIONAL,
    };
    let network = |name, mti, codes: &'static [&'static str], required: &'static [u8]| Row {
        name,
        mti,
        f3: None,
        f25: None,
        f60: ("00", codes),
        required,
        optional: &[],
    };
    let chip_upload = |name, codes: &'static [&'static str]| Row {
        name,
        mti: 320,
        f3: Some("000000"),
        f25: Some("00"),
        f60: ("00", codes),
        required: &[2, 3, 4, 11, 22, 25, 41, 42, 49, 55, 60, 61],
        optional: &[23],
    };
    vec![
        // §3
        network("sign-on", 800, &["004"], &[11, 41, 42, 60, 63]),
        network("sign-off", 820, &["002"], &[11, 41, 42, 60]),
        network("echo test", 820, &["301"], &[11, 41, 42, 60]),
        Row {
            name: "balance inquiry",
            mti: 200,
            f3: Some("310000"),
            f25: Some("00"),
            f60: ("01", &["000"]),
            required: &[2, 3, 11, 22, 25, 41, 42, 49, 60, 64],
            optional: CARD_OPTIONAL,
        },
        card("sale", 200, "000000", "00", "22", &[]),
        card("sale void", 200, "200000", "00", "23", &[37, 38, 61]),
        Row {
            name: "refund",
            mti: 220,
            f3: Some("200000"),
            f25: Some("00"),
            f60: ("25", &["000"]),
            required: leak([SALE, &[37, 61, 63]].concat()),
            optional: NO_CHIP,
        },
        card("pre-authorization", 100, "030000", "06", "10", &[]),
        card("pre-auth cancel", 100, "200000", "06", "11", &[38, 61]),
        card("pre-auth completion", 200, "000000", "06", "20", &[38, 61]),
        card("completion void", 200, "200000", "06", "21", &[37, 38, 61]),
        network("settlement", 500, &["201"], &[11, 41, 42, 48, 49, 60, 63]),
        network("batch upload / end", 320, &["201", "202", "207"], &[11, 41, 42, 48, 60]),
        // §7
        Row {
            name: "completion advice",
            mti: 220,
            f3: Some("000000"),
            f25: Some("06"),
            f60: ("24", &["000"]),
            required: leak([SALE, &[38, 61]].concat()),
            optional: NO_CHIP,
        },
        Row {
            name: "script result advice",
            mti: 620,
            f3: None,
            f25: None,
            f60: ("00", &["951"]),
            required: &[2, 3, 4, 11, 22, 25, 37, 41, 42, 49, 55, 60, 61, 64],
            optional: &[23, 38],
        },
        chip_upload("TC upload", &["203", "205"]),
        chip_upload("IC failure upload", &["204", "206"]),
        network("parameter download", 800, &["360"], &[11, 41, 42, 60, 64]),
        network("status upload", 820, &["362"], &[11, 41, 42, 60, 62, 64]),
        network(
            "CA key / IC parameter query",
            820,
            &["372", "382"],
            &[11, 41, 42, 60, 62, 64],
        ),
        network(
            "CA key / IC parameter download",
            800,
            &["370", "380"],
            &[11, 41, 42, 60, 62, 64],
        ),
        network(
            "CA key / IC parameter download end",
            800,
            &["371", "381"],
            &[11, 41, 42, 60, 64],
        ),
    ]
}

fn leak(fields: Vec<u8>) -> &'static [u8] {
    Box::leak(fields.into_boxed_slice())
}

fn present(m: &Message) -> Vec<u8> {
    (2..=64).filter(|f| m.get(*f).is_some()).collect()
}

/// Which row describes `m`, and what is wrong with it against that row.
fn check(rows: &[Row], m: &Message) -> Result<&'static str, String> {
    if m.mti.0 == 400 {
        return check_reversal(m).map(|()| "reversal");
    }
    let f60 = m.get_str(60).ok_or("no F60")?;
    let (kind, code) = (f60.get(0..2).unwrap_or(""), f60.get(8..11).unwrap_or(""));
    let row = rows
        .iter()
        .find(|r| {
            r.mti == m.mti.0
                && r.f60.0 == kind
                && r.f60.1.contains(&code)
                && r.f3.is_none_or(|f3| m.get_str(3) == Some(f3))
        })
        .ok_or_else(|| format!("no row for MTI {} F3 {:?} 60.1 {kind} 60.3 {code}", m.mti, m.get_str(3)))?;
    if let Some(f25) = row.f25 {
        if m.get_str(25) != Some(f25) {
            return Err(format!("{}: F25 {:?}, {f25} expected", row.name, m.get_str(25)));
        }
    }
    let fields = present(m);
    let missing: Vec<u8> = row.required.iter().copied().filter(|f| !fields.contains(f)).collect();
    let extra: Vec<u8> = fields
        .iter()
        .copied()
        .filter(|f| !row.required.contains(f) && !row.optional.contains(f))
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format!(
            "{}: missing {missing:?}, not in the profile {extra:?}",
            row.name
        ));
    }
    // A PIN block comes with its F26 and F53, and only then.
    let pin = [26, 52, 53].map(|f| fields.contains(&f));
    if pin != [false; 3] && pin != [true; 3] {
        return Err(format!("{}: F26 F52 F53 must come together", row.name));
    }
    Ok(row.name)
}

/// A reversal: the original request as 0400 with its STAN, without F26 F35 F36 F52 F53, with F39
/// (and F38, F55 where it has them) and F64.
fn check_reversal(m: &Message) -> Result<(), String> {
    let fields = present(m);
    for never in [26, 35, 36, 52, 53] {
        if fields.contains(&never) {
            return Err(format!("reversal with F{never}"));
        }
    }
    for needed in [2, 3, 11, 22, 25, 39, 41, 42, 60, 64] {
        if !fields.contains(&needed) {
            return Err(format!("reversal without F{needed}"));
        }
    }
    Ok(())
}

#[test]
fn every_request_in_every_vector_is_a_row_of_the_profile() {
    let rows = rows();
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let vector = Vector::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (index, step) in vector.steps.iter().enumerate() {
            for output in &step.expect {
                let Output::Transmit(bytes) = output else { continue };
                let frame = Frame::decode(bytes).unwrap_or_else(|e| panic!("{} step {index}: {e}", vector.id));
                match check(&rows, &frame.message) {
                    Ok(name) => *seen.entry(name).or_default() += 1,
                    Err(why) => failures.push(format!("{} step {index}: {why}", vector.id)),
                }
            }
        }
    }
    println!("requests checked against the profile, by row: {seen:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let unexercised: Vec<&str> = rows
        .iter()
        .map(|r| r.name)
        .chain(["reversal"])
        .filter(|name| !seen.contains_key(name))
        .collect();
    assert!(unexercised.is_empty(), "no vector sends {unexercised:?}");
}

#[test]
fn a_request_against_the_profile_is_caught() {
    let rows = rows();
    let mut sale = Message::new(pos_kernel::codec::Mti(200));
    for (field, value) in [
        (2, "6222020000000007"),
        (3, "000000"),
        (4, "000000000100"),
        (11, "000001"),
        (22, "022"),
        (25, "00"),
        (41, "10000001"),
        (42, "123456789012345"),
        (49, "156"),
        (60, "22000001000060"),
    ] {
        sale.set(field, value);
    }
    sale.set(64, [0u8; 8]);
    assert_eq!(check(&rows, &sale), Ok("sale"));
    let mut upload = sale.clone();
    upload.set(48, "01");
    assert!(check(&rows, &upload).unwrap_err().contains("not in the profile [48]"));
    let mut no_amount = sale.clone();
    no_amount.unset(4);
    assert!(check(&rows, &no_amount).unwrap_err().contains("missing [4]"));
    let mut unknown = sale;
    unknown.set(60, "77000001000060");
    assert!(check(&rows, &unknown).unwrap_err().contains("no row"));
}
