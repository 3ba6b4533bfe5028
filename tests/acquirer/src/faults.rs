//! Fault injection: what happens to a reply on its way back to the terminal.
//!
//! The request has always been processed (the ledger updated) before a fault applies; the fault
//! only changes what the terminal receives.

use std::fmt;
use std::str::FromStr;

use pos_kernel::codec::{EncodeError, Frame, Header, Message, Mti};
use pos_kernel::security::crypto::{cup_mac, Key};
use serde::{Deserialize, Serialize};

use crate::AcquirerOutput;

/// One fault, applied to the next reply the acquirer produces (see [`crate::Acquirer::inject`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fault {
    /// No reply at all: the bank has acted, the terminal hears nothing ("charged but not credited").
    DropReply,
    /// The reply comes back as [`AcquirerOutput::LateReply`]: after the terminal's timeout.
    DelayReply,
    /// F64 of the reply is wrong (added if the reply had none).
    BadMac,
    /// F11 of the reply is altered (MAC recomputed, so only the STAN is wrong).
    WrongStan,
    /// F41 of the reply is altered (MAC recomputed).
    WrongTerminalId,
    /// F4 of the reply is altered, or added if the request had none (MAC recomputed).
    WrongAmount,
    /// The reply carries the request's own MTI instead of request + 10 (MAC recomputed).
    WrongMti,
    /// The same reply twice.
    AnswerTwice,
    /// A well-framed (correct 2-byte length) frame that does not decode, instead of the reply.
    Garbage,
    /// No reply; the bank closes the connection.
    Close,
    /// The normal reply, with header processing requirement 3 ("sign on again").
    SignOnAgainHeader,
    /// A settlement reply (0510) whose F48 result digits (31st and 62nd) are `9`: an answer the
    /// terminal cannot read. Other replies are unchanged.
    UnreadableSettlement,
    /// A settlement reply (0510) with F39 `96` (system malfunction) instead of `00`: the
    /// acquirer refuses to settle now. Other replies are unchanged.
    RefuseSettlement,
    /// The bank approves, but the approval is booked only after the terminal has given up: no
    /// reply, and the terminal's reversal finds nothing (`25`). The charge stands and the
    /// statement lists it `L` (a late approval: 未到账 on the terminal, charged at the bank).
    LateApproval,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: [Fault; 14] = [
        Fault::DropReply,
        Fault::DelayReply,
        Fault::BadMac,
        Fault::WrongStan,
        Fault::WrongTerminalId,
        Fault::WrongAmount,
        Fault::WrongMti,
        Fault::AnswerTwice,
        Fault::Garbage,
        Fault::Close,
        Fault::SignOnAgainHeader,
        Fault::UnreadableSettlement,
        Fault::RefuseSettlement,
        Fault::LateApproval,
    ];

    /// Whether the terminal does not get the reply in time to use it (no reply, a late one, one
    /// it cannot read or match): an approval it makes stands as `L` unless reversed.
    pub fn hides_the_approval(self) -> bool {
        matches!(
            self,
            Fault::DropReply
                | Fault::DelayReply
                | Fault::Garbage
                | Fault::Close
                | Fault::WrongStan
                | Fault::WrongTerminalId
                | Fault::WrongMti
                | Fault::LateApproval
        )
    }

    /// The kebab-case name used by [`FromStr`] and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            Fault::DropReply => "drop-reply",
            Fault::DelayReply => "delay-reply",
            Fault::BadMac => "bad-mac",
            Fault::WrongStan => "wrong-stan",
            Fault::WrongTerminalId => "wrong-tid",
            Fault::WrongAmount => "wrong-amount",
            Fault::WrongMti => "wrong-mti",
            Fault::AnswerTwice => "answer-twice",
            Fault::Garbage => "garbage",
            Fault::Close => "close",
            Fault::SignOnAgainHeader => "sign-on-again",
            Fault::UnreadableSettlement => "unreadable-settlement",
            Fault::RefuseSettlement => "refuse-settlement",
            Fault::LateApproval => "late-approval",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault name that [`Fault::from_str`] does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fault `{}`; expected one of:", self.0)?;
        for fault in Fault::ALL {
            write!(f, " {fault}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    /// Parses the kebab-case names: `drop-reply`, `delay-reply`, `bad-mac`, `wrong-stan`,
    /// `wrong-tid`, `wrong-amount`, `wrong-mti`, `answer-twice`, `garbage`, `close`,
    /// `sign-on-again`, `unreadable-settlement`, `refuse-settlement`, `late-approval`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

/// The bytes sent instead of a reply under [`Fault::Garbage`]: a correct 2-byte length
/// followed by 8 bytes whose TPDU does not start with `0x60`.
pub const GARBAGE: [u8; 10] = [0x00, 0x08, 0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF];

/// A reply before the MAC and the envelope: the body without F64, the header's processing
/// requirement, and whether F64 goes on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reply {
    pub(crate) message: Message,
    pub(crate) requirement: u8,
    pub(crate) mac: bool,
}

impl Reply {
    pub(crate) fn new(message: Message) -> Self {
        Reply {
            message,
            requirement: 0,
            mac: false,
        }
    }
}

/// Turns `reply` into what the terminal gets under `fault`: MAC with `mak` (when the reply
/// wants one and the terminal has a MAK), envelope from the request's TPDU and header.
pub(crate) fn deliver(
    fault: Option<Fault>,
    mut reply: Reply,
    request: &Frame,
    mak: Option<&Key>,
) -> Result<Vec<AcquirerOutput>, EncodeError> {
    match fault {
        Some(Fault::DropReply | Fault::LateApproval) => return Ok(Vec::new()),
        Some(Fault::Close) => return Ok(vec![AcquirerOutput::Close]),
        Some(Fault::Garbage) => return Ok(vec![AcquirerOutput::Reply(GARBAGE.to_vec())]),
        Some(Fault::WrongStan) => {
            let stan = reply.message.get_str(11).and_then(crate::fields::number);
            let wrong = stan.map_or(0, |s| s % 999_999 + 1);
            reply.message.set(11, format!("{wrong:06}"));
        }
        Some(Fault::WrongTerminalId) => {
            let tid = reply.message.get_str(41).unwrap_or("9999999").to_owned();
            let mut chars: Vec<char> = tid.chars().collect();
            match chars.last_mut() {
                Some(last) => *last = if *last == '0' { '1' } else { '0' },
                None => chars.push('0'),
            }
            reply.message.set(41, chars.into_iter().collect::<String>());
        }
        Some(Fault::WrongAmount) => {
            let amount = reply.message.get_str(4).and_then(crate::fields::number);
            let wrong = amount.map_or(1, |a| (a + 1) % 1_000_000_000_000);
            reply.message.set(4, format!("{wrong:012}"));
        }
        Some(Fault::WrongMti) => {
            reply.message.mti = Mti(reply.message.mti.0.saturating_sub(10));
        }
        Some(Fault::SignOnAgainHeader) => reply.requirement = Header::SIGN_ON_AGAIN,
        Some(Fault::UnreadableSettlement) if reply.message.mti == Mti(510) => {
            if let Some(f48) = reply.message.get_str(48) {
                let digits: String = f48
                    .char_indices()
                    .map(|(i, c)| if i == 30 || i == 61 { '9' } else { c })
                    .collect();
                reply.message.set(48, digits);
            }
        }
        Some(Fault::RefuseSettlement) if reply.message.mti == Mti(510) => {
            reply.message.set(39, "96");
            reply.message.remove(48);
        }
        Some(
            Fault::DelayReply
            | Fault::BadMac
            | Fault::AnswerTwice
            | Fault::UnreadableSettlement
            | Fault::RefuseSettlement,
        )
        | None => {}
    }
    let mut message = reply.message;
    let mac = match mak {
        Some(mak) if reply.mac || fault == Some(Fault::BadMac) => Some(cup_mac(mak, &message.mac_block()?)),
        _ => None,
    };
    if let Some(mac) = mac {
        message.set(64, mac);
    }
    if fault == Some(Fault::BadMac) {
        let mut bad = mac.unwrap_or(*b"00000000");
        if let Some(first) = bad.first_mut() {
            *first = if *first == b'0' { b'1' } else { b'0' };
        }
        message.set(64, bad);
    }
    let frame = Frame {
        tpdu: request.tpdu.swapped(),
        header: Header {
            status: request.header.status,
            requirement: reply.requirement,
        },
        message,
    };
    let bytes = frame.encode()?;
    Ok(match fault {
        Some(Fault::DelayReply) => vec![AcquirerOutput::LateReply(bytes)],
        Some(Fault::AnswerTwice) => vec![AcquirerOutput::Reply(bytes.clone()), AcquirerOutput::Reply(bytes)],
        _ => vec![AcquirerOutput::Reply(bytes)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
        }
        assert!("nope".parse::<Fault>().is_err());
    }

    #[test]
    fn garbage_is_not_a_frame() {
        assert!(Frame::decode(&GARBAGE).is_err());
    }
}
