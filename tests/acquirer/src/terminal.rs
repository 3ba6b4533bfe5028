//! What the bank remembers per terminal (keyed by F41): its working keys and every request it
//! answered after authenticating it, for de-duplication and for finding reversal originals.

use std::collections::BTreeMap;

use pos_kernel::codec::Message;
use pos_kernel::security::crypto::Key;

use serde::{Deserialize, Serialize};

use crate::faults::Reply;

/// Working keys in the clear, as issued at the terminal's last sign-on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ClearKeys {
    pub(crate) pik: Key,
    pub(crate) mak: Key,
    pub(crate) tdk: Key,
}

/// How an answered request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// Approved; the ledger entry it created, if any (a balance inquiry creates none).
    Approved(Option<usize>),
    /// Declined: nothing happened.
    Declined,
}

/// Identity of a request for de-duplication: batch (60.2), STAN (F11), MTI.
pub(crate) type SeenKey = (u32, u32, u16);

/// An answered request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seen {
    /// Order of arrival (the newest match wins when a batch is not known).
    pub(crate) seq: u64,
    /// F2, F3, F4 and F60 of the request: a retransmission carries the same.
    pub(crate) fingerprint: Fingerprint,
    /// The reply (F64 is recomputed with the current MAK whenever it is sent again).
    pub(crate) reply: Reply,
    pub(crate) outcome: Outcome,
}

/// F2, F3, F4 and F60 of a request.
pub(crate) type Fingerprint = [Option<Vec<u8>>; 4];

pub(crate) fn fingerprint(message: &Message) -> Fingerprint {
    [2, 3, 4, 60].map(|field| message.get(field).map(<[u8]>::to_vec))
}

/// One terminal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KnownTerminal {
    /// `None` before the first sign-on and after a sign-off.
    pub(crate) keys: Option<ClearKeys>,
    /// The batch of the terminal's latest request (60.2).
    pub(crate) batch: u32,
    pub(crate) seen: BTreeMap<SeenKey, Seen>,
    next_seq: u64,
}

impl KnownTerminal {
    /// Remembers an answered request and returns its reply.
    pub(crate) fn remember(&mut self, key: SeenKey, fingerprint: Fingerprint, reply: Reply, outcome: Outcome) -> Reply {
        self.next_seq = self.next_seq.saturating_add(1);
        self.seen.insert(
            key,
            Seen {
                seq: self.next_seq,
                fingerprint,
                reply: reply.clone(),
                outcome,
            },
        );
        reply
    }

    /// The newest remembered request with STAN `stan` and one of `mtis` that satisfies `pred`,
    /// in batch `batch` when given.
    pub(crate) fn find_original(
        &self,
        batch: Option<u32>,
        stan: u32,
        mtis: &[u16],
        pred: impl Fn(&Seen) -> bool,
    ) -> Option<&Seen> {
        self.seen
            .iter()
            .filter(|((b, s, m), seen)| {
                *s == stan && batch.is_none_or(|want| want == *b) && mtis.contains(m) && pred(seen)
            })
            .map(|(_, seen)| seen)
            .max_by_key(|seen| seen.seq)
    }
}
