//! A hand-built test terminal: builds request frames with the kernel's codec and crypto, the way
//! a terminal would, and reads the acquirer's replies.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::panic,
    dead_code
)]

use pos_acquirer_sim::{Acquirer, AcquirerConfig, AcquirerOutput};
use pos_kernel::codec::{Frame, Header, Message, Mti, Tpdu};
use pos_kernel::security::crypto::{clear_pin_block, cup_mac, decrypt_key, tdes_encrypt_block, Key, TEST_TMK};
use pos_kernel::security::{KeyKind, WorkingKeys};

/// 2026-11-21T16:30:05Z = 2026-11-22 00:30:05 in Beijing.
pub const NOW: u64 = 1_795_278_605_000;
/// The bank's local date at [`NOW`].
pub const TODAY: &str = "1122";
pub const TID: &str = "10000001";
pub const MID: &str = "123456789012345";

pub fn bank() -> Acquirer {
    Acquirer::new(AcquirerConfig::default())
}

/// What a terminal keeps.
#[derive(Debug, Clone)]
pub struct TestTerminal {
    pub tid: String,
    pub batch: u32,
    pub stan: u32,
    pub pik: Option<Key>,
    pub mak: Option<Key>,
}

/// The reference data of an approved transaction, for voids, refunds and completions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub batch: u32,
    pub stan: u32,
    pub rrn: String,
    pub auth: String,
    pub date: String,
}

impl TestTerminal {
    pub fn new(tid: &str) -> Self {
        TestTerminal {
            tid: tid.to_owned(),
            batch: 1,
            stan: 0,
            pik: None,
            mak: None,
        }
    }

    pub fn next_stan(&mut self) -> u32 {
        self.stan = self.stan % 999_999 + 1;
        self.stan
    }

    pub fn frame(message: &Message) -> Vec<u8> {
        Frame {
            tpdu: Tpdu::TERMINAL_DEFAULT,
            header: Header {
                status: 0,
                requirement: 0,
            },
            message: message.clone(),
        }
        .encode()
        .unwrap()
    }

    /// Sends and expects exactly one `Reply`, decoded.
    pub fn exchange(&self, bank: &mut Acquirer, message: &Message) -> Frame {
        let outputs = bank.handle_frame(NOW, &Self::frame(message));
        match outputs.as_slice() {
            [AcquirerOutput::Reply(bytes)] => Frame::decode(bytes).unwrap(),
            other => panic!("expected one reply, got {other:?}"),
        }
    }

    fn f60(&self, kind: &str, code: &str) -> String {
        format!("{kind}{:06}{code}", self.batch)
    }

    fn management(&mut self, mti: u16, code: &str) -> Message {
        let stan = self.next_stan();
        Message::new(Mti(mti))
            .with(11, format!("{stan:06}"))
            .with(41, self.tid.clone())
            .with(42, MID)
            .with(60, self.f60("00", code))
    }

    pub fn sign_on_request(&mut self) -> Message {
        self.management(800, "004").with(63, "001")
    }

    /// Signs on and installs the keys; panics unless the check values verify.
    pub fn sign_on(&mut self, bank: &mut Acquirer) -> Frame {
        let request = self.sign_on_request();
        let reply = self.exchange(bank, &request);
        assert_eq!(reply.message.get_str(39), Some("00"));
        self.install_keys(&reply).unwrap();
        reply
    }

    pub fn install_keys(&mut self, reply: &Frame) -> Result<(), pos_kernel::security::SecurityError> {
        let keys = WorkingKeys::from_f62(reply.message.get(62).unwrap())?;
        let pik = decrypt_key(&TEST_TMK, &keys.pik, KeyKind::Pin)?;
        let mak = decrypt_key(&TEST_TMK, &keys.mak, KeyKind::Mac)?;
        decrypt_key(&TEST_TMK, &keys.tdk, KeyKind::TrackData)?;
        self.pik = Some(pik);
        self.mak = Some(mak);
        Ok(())
    }

    pub fn echo(&mut self) -> Message {
        self.management(820, "301")
    }

    pub fn sign_off(&mut self) -> Message {
        self.management(820, "002")
    }

    /// Sets F64 with the terminal's MAK.
    pub fn mac(&self, mut message: Message) -> Message {
        message.remove(64);
        let mac = cup_mac(self.mak.as_ref().unwrap(), &message.mac_block().unwrap());
        message.with(64, mac)
    }

    pub fn pin_block(&self, pin: &str, pan: &str) -> Vec<u8> {
        let clear = clear_pin_block(pin, pan).unwrap();
        tdes_encrypt_block(self.pik.as_ref().unwrap(), clear).to_vec()
    }

    /// The common part of a card request (not yet MACed). F25 is `06` for the pre-auth family.
    fn card_request(
        &mut self,
        mti: u16,
        processing: &str,
        kind: &str,
        pan: &str,
        amount: Option<u64>,
        pin: Option<&str>,
    ) -> Message {
        let stan = self.next_stan();
        let condition = if ["10", "11", "20", "21"].contains(&kind) {
            "06"
        } else {
            "00"
        };
        let mut m = Message::new(Mti(mti))
            .with(2, pan)
            .with(3, processing)
            .with(11, format!("{stan:06}"))
            .with(14, "3012")
            .with(22, if pin.is_some() { "021" } else { "022" })
            .with(25, condition)
            .with(41, self.tid.clone())
            .with(42, MID)
            .with(49, "156")
            .with(60, format!("{}50", self.f60(kind, "000")));
        if let Some(amount) = amount {
            m.set(4, format!("{amount:012}"));
        }
        if let Some(pin) = pin {
            m.set(26, "12");
            m.set(52, self.pin_block(pin, pan));
            m.set(53, "2600000000000000");
        }
        m
    }

    pub fn sale(&mut self, pan: &str, amount: u64, pin: Option<&str>) -> Message {
        let m = self.card_request(200, "000000", "22", pan, Some(amount), pin);
        self.mac(m)
    }

    pub fn balance(&mut self, pan: &str, pin: Option<&str>) -> Message {
        let m = self.card_request(200, "310000", "01", pan, None, pin);
        self.mac(m)
    }

    pub fn void(&mut self, pan: &str, amount: u64, original: &Approval) -> Message {
        let m = self
            .card_request(200, "200000", "23", pan, Some(amount), None)
            .with(37, original.rrn.clone())
            .with(38, original.auth.clone())
            .with(61, format!("{:06}{:06}", original.batch, original.stan));
        self.mac(m)
    }

    pub fn refund(&mut self, pan: &str, amount: u64, original_rrn: &str, original_date: &str) -> Message {
        let m = self
            .card_request(220, "200000", "25", pan, Some(amount), None)
            .with(37, original_rrn)
            .with(61, format!("000000000000{original_date}"))
            .with(63, "CUP");
        self.mac(m)
    }

    pub fn pre_auth(&mut self, pan: &str, amount: u64, pin: Option<&str>) -> Message {
        let m = self.card_request(100, "030000", "10", pan, Some(amount), pin);
        self.mac(m)
    }

    pub fn pre_auth_cancel(&mut self, pan: &str, amount: u64, pre_auth: &Approval) -> Message {
        let m = self
            .card_request(100, "200000", "11", pan, Some(amount), None)
            .with(38, pre_auth.auth.clone())
            .with(
                61,
                format!("{:06}{:06}{}", pre_auth.batch, pre_auth.stan, pre_auth.date),
            );
        self.mac(m)
    }

    pub fn completion(&mut self, pan: &str, amount: u64, pre_auth: &Approval) -> Message {
        let m = self
            .card_request(200, "000000", "20", pan, Some(amount), None)
            .with(38, pre_auth.auth.clone())
            .with(
                61,
                format!("{:06}{:06}{}", pre_auth.batch, pre_auth.stan, pre_auth.date),
            );
        self.mac(m)
    }

    pub fn completion_void(&mut self, pan: &str, amount: u64, completion: &Approval) -> Message {
        let m = self
            .card_request(200, "200000", "21", pan, Some(amount), None)
            .with(37, completion.rrn.clone())
            .with(38, completion.auth.clone())
            .with(61, format!("{:06}{:06}", completion.batch, completion.stan));
        self.mac(m)
    }

    /// The reversal of `original` (same STAN) with reason `reason`.
    pub fn reversal(&self, original: &Message, reason: &str) -> Message {
        let mut m = original.clone();
        m.mti = Mti(400);
        for field in [26, 35, 36, 52, 53, 64] {
            m.remove(field);
        }
        m.set(39, reason);
        self.mac(m)
    }

    /// 0500 with the 62 F48 digits built from the two halves (30 digits each).
    pub fn settlement(&mut self, domestic: &str, foreign: &str) -> Message {
        assert_eq!((domestic.len(), foreign.len()), (30, 30));
        self.management(500, "201")
            .with(48, format!("{domestic}0{foreign}0"))
            .with(49, "156")
            .with(63, "CUP")
    }

    /// 0320 / 201 with `(foreign, stan, pan, amount)` entries.
    pub fn batch_upload(&mut self, entries: &[(bool, u32, &str, u64)]) -> Message {
        let mut f48 = format!("{:02}", entries.len());
        for (foreign, stan, pan, amount) in entries {
            f48.push_str(&format!("{:02}{stan:06}{pan:0>20}{amount:012}", u8::from(*foreign)));
        }
        self.management(320, "201").with(48, f48)
    }

    /// 0320 TC upload (`203`/`205`) or IC failure upload (`204`/`206`) of an approval: F55 with
    /// 9F26 and 9F27 `cid` (`40` TC, `00` AAC).
    pub fn chip_upload(&mut self, code: &str, pan: &str, amount: u64, original: &Approval, cid: u8) -> Message {
        let icc = [&[0x9f, 0x26, 0x08][..], &[0x11; 8], &[0x9f, 0x27, 0x01, cid]].concat();
        self.management(320, code)
            .with(2, pan)
            .with(3, "000000")
            .with(4, format!("{amount:012}"))
            .with(22, "051")
            .with(25, "00")
            .with(49, "156")
            .with(55, icc)
            .with(
                61,
                format!("{:06}{:06}{}", original.batch, original.stan, original.date),
            )
    }

    pub fn batch_upload_end(&mut self, code: &str, count: u32) -> Message {
        self.management(320, code).with(48, format!("{count:04}"))
    }

    /// Whether F64 of a reply verifies with the terminal's MAK.
    pub fn reply_mac_ok(&self, reply: &Frame) -> bool {
        let Some(mac) = reply.message.get(64) else {
            return false;
        };
        mac == cup_mac(self.mak.as_ref().unwrap(), &reply.message.mac_block().unwrap())
    }

    /// Sends a financial request and returns (F39, reference data when approved); asserts the
    /// reply matches the request (MTI, F11, F41, F42, F3, F4) and its MAC verifies.
    pub fn transact(&self, bank: &mut Acquirer, request: &Message) -> (String, Option<Approval>) {
        let reply = self.exchange(bank, request);
        check_reply(request, &reply);
        assert!(self.reply_mac_ok(&reply), "reply MAC");
        let code = reply.message.get_str(39).unwrap().to_owned();
        let approval = (code == "00").then(|| Approval {
            batch: self.batch,
            stan: request.get_str(11).unwrap().parse().unwrap(),
            rrn: reply.message.get_str(37).unwrap().to_owned(),
            auth: reply.message.get_str(38).unwrap().to_owned(),
            date: reply.message.get_str(13).unwrap().to_owned(),
        });
        (code, approval)
    }
}

/// docs/profile.md §4: MTI + 10, F11 F41 F42 equal, F3 F4 equal where the request had them.
pub fn check_reply(request: &Message, reply: &Frame) {
    assert_eq!(reply.message.mti, request.mti.response(), "MTI");
    for field in [11, 41, 42, 3, 4] {
        if request.has(field) {
            assert_eq!(reply.message.get(field), request.get(field), "F{field}");
        }
    }
    assert_eq!(reply.tpdu, Tpdu::TERMINAL_DEFAULT.swapped());
}

pub fn code(reply: &Frame) -> &str {
    reply.message.get_str(39).unwrap()
}

/// A bank and a signed-on terminal.
pub fn signed_on() -> (Acquirer, TestTerminal) {
    let mut bank = bank();
    let mut terminal = TestTerminal::new(TID);
    terminal.sign_on(&mut bank);
    (bank, terminal)
}

/// Money conservation: for every card, what left it equals what the ledger says was charged
/// through it plus its outstanding holds.
pub fn assert_books_balance(bank: &Acquirer) {
    let ledger = bank.ledger();
    for card in &bank.config().cards {
        let charged: i128 = ledger
            .entries()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.pan == card.pan && !e.reversed)
            .map(|(_, e)| {
                let original_stands = e.original.map(|i| !ledger.entries()[i].reversed).unwrap_or(false);
                if e.kind.is_charge() {
                    i128::from(e.amount)
                } else if e.kind.is_credit() && original_stands {
                    -i128::from(e.amount)
                } else {
                    0
                }
            })
            .sum();
        let spent = i128::from(card.balance) - i128::from(ledger.balance(&card.pan).unwrap());
        assert_eq!(
            spent,
            charged + i128::from(ledger.held(&card.pan)),
            "books of {}",
            card.pan
        );
    }
}
