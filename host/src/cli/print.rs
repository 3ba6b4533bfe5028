//! How outcomes look to an operator, and what exit code they give.
//!
//! Everything posterm prints goes through [`out!`] and [`note!`]: a closed output pipe
//! (`posterm sale ... | head -0`) must not turn an approved, journaled sale into a crash with
//! exit code 101, which a wrapper script could take for a failure and retry.

use pos_kernel::engine::{Event, LifeStep, Outcome, TransactionLife};
use pos_kernel::guidance;

/// `println!` that ignores a closed or failed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed or failed stderr.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub use crate::{note, out};

pub use crate::exit::{self, exit_code};

pub fn money(minor: u64) -> String {
    guidance::money(minor)
}

pub fn outcome(outcome: &Outcome) {
    for line in outcome.render().lines() {
        out!("{line}");
    }
}

/// An event as the operator reads it on the way (stderr), or `None` for the quiet ones.
pub fn event(event: &Event) -> Option<String> {
    let label = |kind: pos_kernel::engine::TransactionKind| kind.label().1;
    Some(match event {
        Event::Sending { transaction, stan } => format!("sending {} {stan:06}", label(*transaction)),
        Event::ReplyIgnored { reason } => format!("a frame that is not the answer was ignored: {reason}"),
        Event::OutcomeUnknown {
            transaction,
            stan,
            reason,
        } => format!(
            "the outcome of {} {stan:06} is unknown (reason {}): reversing it",
            label(*transaction),
            reason.code()
        ),
        Event::ReversalSent { stan, attempt } => format!("sending the reversal of {stan:06} (attempt {attempt})"),
        Event::CardVerdictRequired { .. } => "approved online; waiting for the chip card".into(),
        Event::SignOnRequired => "the acquirer asks the terminal to sign on again".into(),
        Event::JournalFailed { reason } => {
            format!("the journal failed ({reason}): the terminal stops; run the command again to restart it")
        }
        Event::RefundPending { stan } => format!("refund {stan:06} got no answer: it stays pending and is resent"),
        Event::AdvicePending { transaction, stan } => format!(
            "{} {stan:06} got no answer: it stays pending and is resent",
            label(*transaction)
        ),
        Event::AdviceAnswered {
            transaction,
            stan,
            response_code,
        } if response_code == "00" => format!("{} {stan:06} answered", label(*transaction)),
        Event::AdviceAnswered {
            transaction,
            stan,
            response_code,
        } if *transaction == pos_kernel::engine::TransactionKind::CompletionAdvice => format!(
            "{} {stan:06} refused by the acquirer ({response_code}): it leaves the batch; contact the acquirer",
            label(*transaction)
        ),
        Event::AdviceAnswered {
            transaction,
            stan,
            response_code,
        } => format!("{} {stan:06} answered ({response_code})", label(*transaction)),
        Event::SettlementStep { phase } => format!("settlement: {phase}"),
        Event::NotSent { stan, cause } => format!("{stan:06} never left the terminal: {cause}"),
        Event::Management { task, step } => format!("{}: {step}", task_name(*task)),
        Event::HeaderRequestIgnored { digit } => {
            format!("the acquirer's reply header asks for `{digit}`, which this terminal does not do: ignored")
        }
    })
}

/// A management task the acquirer asks for, as the operator reads it.
pub fn task_name(task: pos_kernel::engine::downloads::ManagementTask) -> &'static str {
    use pos_kernel::engine::downloads::ManagementTask::*;
    match task {
        Parameters => "parameter download",
        StatusUpload => "status upload",
        CaKeys => "CA key update",
        IcParameters => "IC parameter update",
    }
}

/// One step of a transaction's recorded life, as a sentence.
pub fn life_step(step: &LifeStep) -> String {
    match step {
        LifeStep::Sent => "journaled and sent".into(),
        LifeStep::Approved { rrn, auth_code } => format!("approved (RRN {rrn}, auth code {auth_code})"),
        LifeStep::Declined { response_code } => format!("declined ({response_code})"),
        LifeStep::ReversalReason { reason } => format!("outcome unknown, reversal reason {}", reason.code()),
        LifeStep::Reversed { response_code } => format!("reversal confirmed ({response_code})"),
        LifeStep::ReversalNotConfirmed => "reversal not confirmed: on the exceptions list".into(),
        LifeStep::ExceptionAcknowledged => "exception acknowledged by the operator".into(),
        LifeStep::ClosedBy { stan, transaction } => format!("closed by {} {stan:06}", transaction.label().1),
        LifeStep::NeverSent => "never left the terminal (no connection)".into(),
        LifeStep::AdviceAnswered { response_code } => format!("advice answered by the acquirer ({response_code})"),
    }
}

/// "Was this customer charged?" as a sentence.
pub fn charged(life: &TransactionLife) -> &'static str {
    use pos_kernel::engine::Charged::*;
    match life.charged {
        Yes => "yes: approved and standing 已扣款",
        Closed => "no longer: voided, cancelled or completed 已撤销/完成",
        No => "no 未扣款",
        Pending => "not yet known: a reversal or refund is still being sent 处理中",
        Unknown => "unknown: the reversal was not confirmed; contact the acquirer 结果未知，请联系收单机构",
    }
}
