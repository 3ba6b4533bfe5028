//! Journal records: any bytes either decode to a record or are refused (no panic); a record that
//! decodes encodes again and decodes to the same record; and `Terminal::restore` from arbitrary
//! records either rebuilds a terminal or refuses the journal, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_kernel::engine::Record;
use pos_kernel::security::SoftwareSecurityModule;
use pos_kernel::{Config, Terminal, Timestamp};

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = Record::decode(data) {
        let bytes = record.encode().expect("a decoded record encodes");
        assert_eq!(Record::decode(&bytes).ok(), Some(record));
    }
    // The same bytes as a whole journal: records split at 0xff bytes.
    let records: Vec<&[u8]> = data.split(|b| *b == 0xff).collect();
    let security = Box::new(SoftwareSecurityModule::with_test_keys());
    if let Ok(mut terminal) = Terminal::restore(Config::default(), security, records, Timestamp(1_795_226_400_000)) {
        while terminal.poll_output().is_some() {}
        let _ = terminal.status();
    }
});
