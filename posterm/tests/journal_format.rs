//! A journal of the previous format (2: card numbers in clear in its records) is refused with
//! what to do and left as it is; `posterm recover --new-journal` starts a new one after it, with
//! the STAN carried on (fixture: tests/fixtures/journal-format-2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::rig::rig;
use common::run;

fn fixture() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/journal-format-2"))
}

#[test]
fn a_journal_of_the_previous_format_is_refused_and_a_new_one_follows_it() {
    let rig = rig("format2");
    for name in ["journal.pjl", "journal.pjl.anchor"] {
        std::fs::copy(fixture().join(name), rig.dir.join(name)).unwrap();
    }
    let before = std::fs::read(rig.dir.join("journal.pjl")).unwrap();
    let (code, _, err) = run(&mut rig.posterm(&["sale", "--amount", "1.00"]));
    assert_eq!(code, 9, "{err}");
    assert!(
        err.contains("kept card numbers in clear") && err.contains("recover --new-journal"),
        "{err}"
    );
    assert!(err.contains("Nothing was sent"), "{err}");
    let (code, _, err) = run(&mut rig.posterm(&["status"]));
    assert_eq!(code, 9, "{err}");
    assert_eq!(
        std::fs::read(rig.dir.join("journal.pjl")).unwrap(),
        before,
        "the old journal is left as it is"
    );
    assert_eq!(rig.standing(), 0, "nothing reached the acquirer");

    let (code, out, err) = run(&mut rig.posterm(&["recover", "--new-journal"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("kept card numbers in clear"), "{out}");
    assert!(out.contains("a new journal starts at STAN"), "{out}");
    let (code, out, err) = run(&mut rig.posterm(&["sign-on"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&mut rig.posterm(&["sale", "--amount", "1.00"]));
    assert_eq!(code, 0, "{out}{err}");
    // The new journal keeps the card sealed: no clear PAN in it.
    let journal = std::fs::read(rig.dir.join("journal.pjl")).unwrap();
    assert!(
        !journal.windows(16).any(|w| w == b"6222020000000007"),
        "a clear PAN in the new journal"
    );
}
