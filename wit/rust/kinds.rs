// Enums shared by inputs, outputs and status, and the small records around them.

use pos_kernel::engine::downloads::{
    AidParameters, CaKeySet, CaPublicKey, DownloadedSets, IcParameterSet, ManagementTask, ParameterSet,
    TerminalParameters,
};
use pos_kernel::engine::settlement::{Totals, TypeTotal, Verdict};
use pos_kernel::engine::{
    Charged, ExceptionEntry, InputProblem, OriginalProblem, ReaderOutcome, ReversalReason, Timer, TransactionKind,
    WaitingFor,
};
use pos_kernel::guidance::{Category, Text};
use pos_kernel::EntryMode;

use super::{two_way_enum, two_way_record, wit};

two_way_enum!(TransactionKind <=> wit::TransactionKind {
    SignOn, SignOff, Echo, Sale, Balance, Void, Refund, PreAuth, PreAuthCancel, Completion, CompletionVoid,
    Settlement, AcknowledgeException, CompletionAdvice, ScriptAdvice, ParameterDownload, StatusUpload, CaKeyDownload,
    IcParameterDownload,
});
two_way_enum!(ManagementTask <=> wit::ManagementTask { Parameters, StatusUpload, CaKeys, IcParameters });
two_way_record!(TerminalParameters <=> wit::TerminalParameters {
    response_timeout_s, reversal_attempts, merchant_name, max_amount, refund_limit, offline_upload_count,
});
two_way_record!(CaPublicKey <=> wit::CaPublicKey {
    rid, index, expiry, hash_algorithm, key_algorithm, modulus, exponent, check_value,
});
two_way_record!(AidParameters <=> wit::AidParameters { aid, tlv });
two_way_record!(ParameterSet <=> wit::ParameterSet { installed_at, parameters: into });
two_way_record!(CaKeySet <=> wit::CaKeySet { installed_at, keys: list });
two_way_record!(IcParameterSet <=> wit::IcParameterSet { installed_at, aids: list });
two_way_record!(DownloadedSets <=> wit::DownloadedSets { parameters: option, ca_keys: option, ic_parameters: option });
two_way_enum!(ReversalReason <=> wit::ReversalReason { NoReply, MacFailure, CardDeclined });
two_way_enum!(EntryMode <=> wit::EntryMode { Manual, Magstripe, Chip, Contactless });
two_way_enum!(Timer <=> wit::Timer { Response, Retry, Card, CardEntry });
two_way_enum!(InputProblem <=> wit::InputProblem {
    ZeroAmount, Pan, Expiry, CardSequence, Track2, Track3, ChipData, Pin, OriginalRrn, OriginalDate, NoOpenException,
    TransactionFields, AuthCode,
});
two_way_enum!(OriginalProblem <=> wit::OriginalProblem {
    NotFound, PreviousBatch, AlreadyClosed, WrongType, AmountTooHigh, OtherCard,
});
two_way_enum!(Category <=> wit::Category {
    Approved, CardholderAction, ReferToIssuer, RetryLater, SignOnRequired, TerminalProblem, Reversed, ContactAcquirer,
});
two_way_enum!(Verdict <=> wit::Verdict { Balanced, Unbalanced, Error });
two_way_enum!(WaitingFor <=> wit::WaitingFor { Acquirer, Card, CardEntry, Pin });
two_way_enum!(Charged <=> wit::Charged { Yes, Closed, No, Pending, Unknown });
two_way_enum!(ReaderOutcome <=> wit::ReaderOutcome {
    TryAgain, TryAnotherInterface, ChipReadFailed, EndApplication, CardBlocked, CardExpired, CardNotActivated,
    NoCard, Cancelled, CardRemoved,
});

two_way_record!(Text <=> wit::Text { zh, en });
two_way_record!(Totals <=> wit::Totals { debit_amount, debit_count, credit_amount, credit_count });
two_way_record!(TypeTotal <=> wit::TypeTotal { transaction: into, count, amount });
two_way_record!(ExceptionEntry <=> wit::ExceptionEntry {
    stan, transaction: into, amount, card, reason: into, acknowledged,
});
