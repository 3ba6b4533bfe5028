//! The journal barrier (docs/architecture.md, "The journal barrier"): the one place the terminal
//! emits outputs from.
//!
//! After a `Persist` (or `Compact`) the outbox releases nothing more until the host answers
//! `Persisted` or `PersistFailed`. What the terminal decides meanwhile cannot jump the record:
//! [`Outbox::push`] asserts (in debug builds) that no record awaits durability and, should it
//! happen in a release build, holds the output back behind the record. Inputs that arrive while a
//! record awaits durability are deferred and fed once it is answered.

use std::collections::VecDeque;

use super::{Activity, OnPersistFail};
use crate::engine::journal::Record;
use crate::engine::output::Output;
use crate::time::Timestamp;
use crate::Input;

/// A record awaiting durability, and what follows it.
pub(super) struct Barrier {
    pub record: Record,
    /// Outputs released once the record is durable.
    pub then: Vec<Output>,
    /// The activity once the record is durable (`None`: unchanged).
    pub next: Option<Activity>,
    pub on_fail: OnPersistFail,
}

/// A record that could not be encoded: nothing was emitted.
pub(super) struct Unjournaled {
    pub on_fail: OnPersistFail,
    pub reason: String,
}

#[derive(Default)]
pub(super) struct Outbox {
    ready: VecDeque<Output>,
    barrier: Option<Barrier>,
    /// Inputs that arrived while a record awaited durability.
    deferred: VecDeque<(Timestamp, Input)>,
    /// Test hook: the next record fails to encode (postcard cannot fail on these types).
    #[cfg(test)]
    pub fail_next_encoding: bool,
}

impl Outbox {
    /// Emits `output`, unless a record awaits durability: then it is a bug in the terminal (it
    /// must wait for the answer), held back behind the record.
    pub fn push(&mut self, output: Output) {
        debug_assert!(
            self.barrier.is_none(),
            "an output emitted behind an unacknowledged persist: {output:?}"
        );
        match &mut self.barrier {
            None => self.ready.push_back(output),
            Some(barrier) => barrier.then.push(output),
        }
    }

    /// Emits `Persist(record)` (or, with `replace`, `Compact(record)`) and raises the barrier.
    pub fn persist(&mut self, barrier: Barrier, replace: bool) -> Result<(), Unjournaled> {
        let encoded = self.encode(&barrier.record);
        let bytes = match (encoded, self.barrier.is_some()) {
            (Ok(bytes), false) => bytes,
            (Err(reason), _) => {
                return Err(Unjournaled {
                    on_fail: barrier.on_fail,
                    reason,
                })
            }
            (Ok(_), true) => {
                debug_assert!(false, "a record persisted behind an unacknowledged persist");
                return Err(Unjournaled {
                    on_fail: barrier.on_fail,
                    reason: "a record was emitted while another awaited durability".into(),
                });
            }
        };
        self.ready.push_back(if replace {
            Output::Compact(bytes)
        } else {
            Output::Persist(bytes)
        });
        self.barrier = Some(barrier);
        Ok(())
    }

    fn encode(&mut self, record: &Record) -> Result<Vec<u8>, String> {
        #[cfg(test)]
        if core::mem::take(&mut self.fail_next_encoding) {
            return Err("encoding failure injected by a test".into());
        }
        record.encode().map_err(|e| e.to_string())
    }

    /// The host answered the record awaiting durability: the barrier comes down.
    pub fn answered(&mut self) -> Option<Barrier> {
        self.barrier.take()
    }

    /// Releases what waited behind an acknowledged record.
    pub fn release(&mut self, outputs: Vec<Output>) {
        self.ready.extend(outputs);
    }

    /// Whether a record awaits durability.
    pub fn is_waiting(&self) -> bool {
        self.barrier.is_some()
    }

    pub fn defer(&mut self, now: Timestamp, input: Input) {
        self.deferred.push_back((now, input));
    }

    /// The next deferred input, once no record awaits durability.
    pub fn next_deferred(&mut self) -> Option<(Timestamp, Input)> {
        if self.is_waiting() {
            return None;
        }
        self.deferred.pop_front()
    }

    /// The next output for the host.
    pub fn poll(&mut self) -> Option<Output> {
        self.ready.pop_front()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::engine::output::{Event, Timer};

    fn barrier() -> Barrier {
        Barrier {
            record: Record::SignedOff,
            then: vec![Output::CancelTimer(Timer::Retry)],
            next: None,
            on_fail: OnPersistFail::Halt,
        }
    }

    #[test]
    fn nothing_leaves_behind_a_persist_until_it_is_answered() {
        let mut outbox = Outbox::default();
        assert!(outbox.persist(barrier(), false).is_ok());
        assert!(matches!(outbox.poll(), Some(Output::Persist(_))));
        assert_eq!(outbox.poll(), None, "what follows the record waits for its answer");
        let answered = outbox.answered().unwrap();
        outbox.release(answered.then);
        assert_eq!(outbox.poll(), Some(Output::CancelTimer(Timer::Retry)));
    }

    #[test]
    fn inputs_wait_while_a_record_awaits_durability() {
        let mut outbox = Outbox::default();
        assert!(outbox.persist(barrier(), false).is_ok());
        outbox.defer(Timestamp(1), Input::Timer(Timer::Retry));
        assert_eq!(outbox.next_deferred(), None);
        outbox.answered();
        assert_eq!(outbox.next_deferred(), Some((Timestamp(1), Input::Timer(Timer::Retry))));
    }

    /// The terminal must never push behind a persist; a debug build stops at once.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "behind an unacknowledged persist")]
    fn pushing_behind_a_persist_is_caught() {
        let mut outbox = Outbox::default();
        assert!(outbox.persist(barrier(), false).is_ok());
        outbox.push(Output::Event(Event::SignOnRequired));
    }

    /// In a release build the output is held back behind the record instead.
    #[test]
    #[cfg(not(debug_assertions))]
    fn pushing_behind_a_persist_is_held_back() {
        let mut outbox = Outbox::default();
        assert!(outbox.persist(barrier(), false).is_ok());
        outbox.push(Output::Event(Event::SignOnRequired));
        assert!(matches!(outbox.poll(), Some(Output::Persist(_))));
        assert_eq!(outbox.poll(), None);
        let answered = outbox.answered().unwrap();
        assert_eq!(answered.then.len(), 2);
    }

    #[test]
    fn a_record_that_cannot_be_encoded_emits_nothing() {
        let mut outbox = Outbox {
            fail_next_encoding: true,
            ..Outbox::default()
        };
        let refused = outbox.persist(barrier(), false);
        assert!(matches!(
            refused,
            Err(Unjournaled {
                on_fail: OnPersistFail::Halt,
                ..
            })
        ));
        assert_eq!(outbox.poll(), None);
        assert!(!outbox.is_waiting());
    }
}
