//! The journal file reader: any file (and any anchor beside it) opens, or is refused, without a
//! panic; what opens reopens to the same records (recovery is idempotent); the read-only
//! inspection sees the same records and changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_journal::{inspect, Journal, ModelStorage};

fuzz_target!(|data: &[u8]| {
    // The first byte chooses whether an anchor (the rest split at a 0 byte) goes with the file.
    let (anchor, image) = match data.split_first() {
        Some((flag, rest)) if flag & 1 == 1 => match rest.iter().position(|b| *b == 0) {
            Some(at) => (
                rest.get(..at).map(<[u8]>::to_vec),
                rest.get(at + 1..).unwrap_or_default(),
            ),
            None => (None, rest),
        },
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let inspection = inspect(Some(image), anchor.as_deref(), None);
    let disk = ModelStorage::from_durable(image.to_vec()).with_anchor(anchor.clone());
    if let Ok((journal, _)) = Journal::open(disk) {
        let opened = journal.records().to_vec();
        // Reading only sees what opening keeps: the valid frames before any damage.
        assert_eq!(inspection.records, opened);
        let again = journal.into_storage().crash();
        let (reopened, recovery) = Journal::open(again).expect("a journal that opened reopens");
        assert_eq!(reopened.records(), opened.as_slice());
        assert!(recovery.is_clean(), "a second recovery found more to repair");
    }
});
