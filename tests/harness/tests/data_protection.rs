//! docs/architecture.md, rule 12 over every vector: journal records never hold track data, PIN blocks or
//! CVV-bearing fields, and no event or outcome shows a full PAN.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use pos_harness::vector::Vector;
use pos_harness::vectors_dir;
use pos_kernel::codec::Frame;
use pos_kernel::engine::Record;
use pos_kernel::Output;

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(vectors_dir()).expect("tests/vectors") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "json") {
            out.push(Vector::from_json(&std::fs::read_to_string(&path).expect("read")).expect("parse"));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn journal_records_hold_no_track_data_or_pin_block() {
    let mut records = 0;
    let mut secrets = 0;
    for vector in vectors() {
        let outputs: Vec<&Output> = vector.steps.iter().flat_map(|s| s.expect.iter()).collect();
        // Every track and PIN block this vector ever transmitted.
        let mut sensitive: Vec<Vec<u8>> = Vec::new();
        for output in &outputs {
            if let Output::Transmit(bytes) = output {
                let frame = Frame::decode(bytes).expect("transmitted frames decode");
                for field in [35, 36, 52] {
                    sensitive.extend(frame.message.get(field).map(<[u8]>::to_vec));
                }
            }
        }
        secrets += sensitive.len();
        for output in &outputs {
            if let Output::Persist(bytes) | Output::Compact(bytes) | Output::Archive(bytes) = output {
                records += 1;
                for secret in &sensitive {
                    assert!(
                        !contains(bytes, secret),
                        "{}: a journal record holds track or PIN data",
                        vector.id
                    );
                }
                if let Ok(Record::AboutToSend {
                    reversal: Some(reversal),
                    ..
                }) = Record::decode(bytes)
                {
                    for field in [26, 35, 36, 52, 53, 64] {
                        assert!(!reversal.message.has(field), "{}: reversal keeps F{field}", vector.id);
                    }
                }
            }
        }
    }
    assert!(
        records > 50 && secrets > 10,
        "the check must see records ({records}) and secrets ({secrets})"
    );
}

#[test]
fn events_and_outcomes_show_masked_pans_only() {
    let pans = [
        pos_acquirer_sim::cards::MAGSTRIPE_DEBIT,
        pos_acquirer_sim::cards::CHIP_DEBIT,
        pos_acquirer_sim::cards::CONTACTLESS,
        pos_acquirer_sim::cards::SMALL_BALANCE,
        pos_acquirer_sim::cards::EXPIRED,
        pos_acquirer_sim::cards::UNKNOWN,
    ];
    let mut shown = 0;
    for vector in vectors() {
        for output in vector.steps.iter().flat_map(|s| s.expect.iter()) {
            if matches!(output, Output::Event(_) | Output::Outcome(_)) {
                let text = serde_json::to_string(output).expect("json");
                shown += 1;
                for pan in pans {
                    assert!(!text.contains(pan), "{}: full PAN in {text}", vector.id);
                }
            }
        }
    }
    assert!(shown > 50);
}

/// Rule 15 over every vector: the persisted records hold no PAN, track, PIN block, PIN or key in
/// any encoding (pos_harness::clear_data), whatever crossed the wire.
#[test]
fn persisted_records_hold_no_clear_card_data_pin_or_key() {
    use pos_harness::clear_data::Secrets;
    use pos_harness::vector::StepInput;
    use pos_kernel::Input;
    let (mut records, mut looked_for) = (0, 0);
    for vector in vectors() {
        let wire: Vec<&[u8]> = vector
            .steps
            .iter()
            .flat_map(|step| {
                let received = match &step.input {
                    StepInput::Kernel(Input::Receive(frame)) => Some(frame.as_slice()),
                    _ => None,
                };
                let sent = step.expect.iter().filter_map(|o| match o {
                    Output::Transmit(frame) => Some(frame.as_slice()),
                    _ => None,
                });
                received.into_iter().chain(sent)
            })
            .collect();
        let mut secrets = Secrets::from_wire(wire.iter().copied());
        for step in &vector.steps {
            if let Some(pin) = &step.typed_pin {
                for pan in [
                    pos_acquirer_sim::cards::MAGSTRIPE_DEBIT,
                    pos_acquirer_sim::cards::CHIP_DEBIT,
                ] {
                    secrets.pin(pin, pan);
                }
            }
        }
        looked_for += secrets.len();
        // Journal records and archived batches alike: everything a host stores.
        for output in vector.steps.iter().flat_map(|s| s.expect.iter()) {
            if let Output::Persist(bytes) | Output::Compact(bytes) | Output::Archive(bytes) = output {
                records += 1;
                let found = secrets.find(bytes);
                assert!(found.is_empty(), "{}: a stored record holds {found:?}", vector.id);
            }
        }
    }
    assert!(
        records > 200 && looked_for > 300,
        "records {records}, secrets {looked_for}"
    );
}

/// A chip card whose data (F55) carries its track 2 equivalent (57) and PAN (5A): the chip
/// evidence, the reversal, the script result advice and the archived batch keep the chip data
/// without them, while every message still goes out as the profile says.
#[test]
fn chip_data_is_kept_without_the_card_data_it_carries() {
    use pos_kernel::codec::tlv;
    use pos_kernel::{Command, Config};

    let mut world = pos_harness::world::World::new(Config::default());
    world.command(Command::SignOn);
    let mut card = pos_acquirer_sim::reader::chip_debit();
    let mut icc = card.icc_data.clone().unwrap();
    let track2 = hex::decode("6217000000000000012d30122200000000").unwrap();
    let pan = hex::decode("6217000000000000012f").unwrap();
    tlv::push(&mut icc, &[0x57], &track2);
    tlv::push(&mut icc, &[0x5a], &pan);
    card.icc_data = Some(icc);
    // Approved with an issuer script (an advice follows), then declined by the card (a
    // reversal 06 and an IC failure upload), then settled (TC upload, archive).
    world.acquirer.send_script_with_next_approval();
    world.command(Command::Sale {
        amount: 1_000,
        card: card.clone(),
    });
    world.card_accepts();
    world.command(Command::Sale { amount: 2_000, card });
    world.card_declines();
    world.run_until_quiet();
    world.command(Command::Settle);
    world.run_until_quiet();
    let mut stored = 0;
    for output in world.steps.iter().flat_map(|s| s.expect.iter()) {
        if let Output::Persist(bytes) | Output::Compact(bytes) | Output::Archive(bytes) = output {
            stored += 1;
            assert!(
                !contains(bytes, &track2),
                "a stored record holds the track 2 equivalent data"
            );
            assert!(
                !contains(bytes, &pan),
                "a stored record holds the PAN from the chip data"
            );
        }
    }
    assert!(stored > 10);
    let uploads = world.acquirer.chip_uploads("10000001", 1);
    assert_eq!(
        uploads.len(),
        2,
        "the TC upload and the IC failure upload went out: {uploads:?}"
    );
    assert!(
        world.acquirer.violations().is_empty(),
        "{:?}",
        world.acquirer.violations()
    );
}
