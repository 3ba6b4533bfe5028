//! What to tell the cardholder and the merchant for every outcome (docs/architecture.md, rule 11
//! and "Operator truth"), in Chinese and English. The guidance follows the result, never a raw
//! code: [`for_outcome`] is the one entry point, and [`crate::engine::Outcome::is_consistent`]
//! checks that a category agrees with its result.

use serde::{Deserialize, Serialize};

/// A message in both languages the terminal displays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    fn new(zh: &str, en: &str) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

use crate::engine::{
    FailReason, InputProblem, Interfaces, OriginalProblem, OutcomeResult, ReaderOutcome, ReversalReason,
    TransactionKind,
};
use crate::security::KeyKind;

/// How an outcome sorts for the operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The transaction went through.
    Approved,
    /// The card or cardholder must do something different (another card, PIN, amount).
    CardholderAction,
    /// The issuer refused; the cardholder should contact the card issuer.
    ReferToIssuer,
    /// A temporary problem on the network or at the issuer: try again later.
    RetryLater,
    /// The terminal must sign on again before the next transaction.
    SignOnRequired,
    /// The terminal or its configuration is at fault; call support.
    TerminalProblem,
    /// The outcome was unknown and the terminal reversed it: nothing was charged.
    Reversed,
    /// The outcome is unknown and the reversal could not be confirmed: contact the acquirer.
    ContactAcquirer,
}

/// Category and messages for one outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Guidance {
    pub category: Category,
    /// What the cardholder is told.
    pub cardholder: Text,
    /// What the merchant should do next.
    pub merchant: Text,
}

fn g(category: Category, cardholder: (&str, &str), merchant: (&str, &str)) -> Guidance {
    Guidance {
        category,
        cardholder: Text::new(cardholder.0, cardholder.1),
        merchant: Text::new(merchant.0, merchant.1),
    }
}

/// Guidance whose merchant text carries details (an amount, a cause).
fn gd(category: Category, cardholder: (&str, &str), merchant_zh: String, merchant_en: String) -> Guidance {
    Guidance {
        category,
        cardholder: Text::new(cardholder.0, cardholder.1),
        merchant: Text {
            zh: merchant_zh,
            en: merchant_en,
        },
    }
}

/// Minor units as yuan, `1234.50`.
pub fn money(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// The guidance for an outcome: what the result means for this kind of transaction.
pub fn for_outcome(transaction: TransactionKind, result: &OutcomeResult) -> Guidance {
    if transaction == TransactionKind::Settlement {
        return settlement(result);
    }
    match result {
        OutcomeResult::Approved if transaction.is_card_transaction() && transaction != TransactionKind::Balance => {
            for_response_code("00")
        }
        OutcomeResult::Approved => done(),
        OutcomeResult::Declined { response_code } => declined(response_code),
        OutcomeResult::Failed { reason } => local(reason),
        OutcomeResult::Reversed {
            reason: ReversalReason::CardDeclined,
        } => declined_by_card(),
        OutcomeResult::Reversed { .. } => reversed(),
        OutcomeResult::ReversalFailed { .. } => reversal_not_confirmed(),
        // Only a settlement ends unbalanced.
        OutcomeResult::SettledUnbalanced => settlement(result),
    }
}

/// The result in a few words, as a terminal's screen or a printout heads it ("APPROVED",
/// "DECLINED (51)", "FAILED, NOT CHARGED" ...).
pub fn headline(transaction: TransactionKind, result: &OutcomeResult) -> Text {
    let settlement = transaction == TransactionKind::Settlement;
    match result {
        OutcomeResult::Approved if settlement => Text::new("结算成功", "SETTLED"),
        OutcomeResult::Approved => Text::new("成功", "APPROVED"),
        OutcomeResult::Declined { response_code } if settlement => Text {
            zh: format!("结算被拒绝（{response_code}）"),
            en: format!("REFUSED ({response_code})"),
        },
        OutcomeResult::Declined { response_code } => Text {
            zh: format!("交易拒绝（{response_code}）"),
            en: format!("DECLINED ({response_code})"),
        },
        OutcomeResult::Failed { .. } if settlement => Text::new("结算未完成", "NOT COMPLETED"),
        OutcomeResult::Failed { .. } if transaction.is_card_transaction() => {
            Text::new("失败，未扣款", "FAILED, NOT CHARGED")
        }
        OutcomeResult::Failed { .. } => Text::new("失败", "FAILED"),
        OutcomeResult::Reversed {
            reason: ReversalReason::CardDeclined,
        } => Text::new("卡片拒绝，已冲正", "DECLINED BY THE CARD, REVERSED"),
        OutcomeResult::Reversed { reason } => Text {
            zh: format!("结果未知，已冲正（{}）", reason.code()),
            en: format!("UNKNOWN, REVERSED ({})", reason.code()),
        },
        OutcomeResult::ReversalFailed { reason } => Text {
            zh: format!("冲正未确认（{}）", reason.code()),
            en: format!("REVERSAL NOT CONFIRMED ({})", reason.code()),
        },
        OutcomeResult::SettledUnbalanced => Text::new("结算完成，总额不符", "SETTLED, TOTALS DID NOT AGREE"),
    }
}

/// A decline's guidance: never an approval's, whatever the code says.
fn declined(code: &str) -> Guidance {
    let guidance = for_response_code(code);
    if guidance.category != Category::Approved {
        return guidance;
    }
    gd(
        Category::ReferToIssuer,
        ("交易被拒绝", "Declined"),
        format!("交易被拒绝（应答码 {code}），未扣款；请联系收单机构"),
        format!("Declined (code {code}), nothing was charged; call the acquirer"),
    )
}

/// Settlement outcomes: balanced, unbalanced and uploaded, refused, unanswered or unreadable.
fn settlement(result: &OutcomeResult) -> Guidance {
    use Category::*;
    const STILL_OPEN: &str = "the batch is still open";
    match result {
        OutcomeResult::Approved => g(
            Approved,
            ("结算成功，总额相符", "Settled: the totals agree"),
            (
                "批次已结算，请保存结算单",
                "The batch is closed; keep the settlement report",
            ),
        ),
        OutcomeResult::SettledUnbalanced => g(
            ContactAcquirer,
            ("结算完成，但总额不符", "Settled, but the totals did not agree"),
            (
                "已上送全部交易明细，批次已结算；请将结算单与收单机构对账单核对，差额请联系收单机构",
                "Every transaction was uploaded and the batch is closed; compare the settlement report with the acquirer's statement and call the acquirer about any difference",
            ),
        ),
        OutcomeResult::Declined { response_code } if response_code == "A0" || response_code == "99" => gd(
            SignOnRequired,
            ("结算被拒绝，需重新签到", "Settlement refused: sign on again"),
            format!("结算被拒绝（应答码 {response_code}），批次仍未结算；请重新签到后再结算"),
            format!("Settlement refused (code {response_code}), {STILL_OPEN}: sign on, then settle again"),
        ),
        OutcomeResult::Declined { response_code } => gd(
            RetryLater,
            ("结算被拒绝", "Settlement refused"),
            format!("收单机构拒绝结算（应答码 {response_code}），批次仍未结算；请稍后重新结算，如仍被拒绝请联系收单机构"),
            format!("The acquirer refused the settlement (code {response_code}), {STILL_OPEN}: settle again later; if it is refused again, call the acquirer"),
        ),
        OutcomeResult::Failed {
            reason: FailReason::NoReply,
        } => g(
            RetryLater,
            ("结算无应答", "No reply to the settlement"),
            (
                "批次仍未结算；请稍后重新结算，将从中断处继续",
                "The batch is still open: settle again later; it resumes where it stopped",
            ),
        ),
        OutcomeResult::Failed {
            reason: FailReason::AcquirerUnreachable { cause },
        } => gd(
            RetryLater,
            ("无法连接收单机构，结算未完成", "Cannot reach the acquirer: the settlement did not finish"),
            format!("{cause}；批次仍未结算，请检查网络后重新结算"),
            format!("{cause}; {STILL_OPEN}: check the network, then settle again"),
        ),
        OutcomeResult::Failed {
            reason: FailReason::UnreadableReply { detail },
        } => gd(
            TerminalProblem,
            ("结算应答无法识别", "The acquirer's settlement reply could not be read"),
            format!("批次仍未结算；请重新结算，如仍如此请联系收单机构（{detail}）"),
            format!("{STILL_OPEN}: settle again; if this happens again, call the acquirer ({detail})"),
        ),
        OutcomeResult::Failed { reason } => local(reason),
        // A settlement is never reversed; should one be reported so, say what it means.
        OutcomeResult::Reversed { .. } => reversed(),
        OutcomeResult::ReversalFailed { .. } => reversal_not_confirmed(),
    }
}

const ANOTHER_CARD: (&str, &str) = ("请换卡或换其他支付方式", "Ask for another card or payment method");
const CALL_ISSUER: (&str, &str) = ("请持卡人联系发卡行", "Ask the cardholder to contact the card issuer");
const TRY_LATER: (&str, &str) = ("请稍后重试", "Try again later");
const CALL_SUPPORT: (&str, &str) = ("请联系收单机构", "Call the acquirer's support line");

/// Guidance for a response code (F39) from the acquirer. Unknown codes get a generic decline.
pub fn for_response_code(code: &str) -> Guidance {
    use Category::*;
    match code {
        "00" => g(
            Approved,
            ("交易成功", "Approved"),
            ("交易完成，请打印签购单", "Done: print the receipt"),
        ),
        "01" | "02" => g(ReferToIssuer, ("请联系发卡行", "Refer to card issuer"), CALL_ISSUER),
        "03" => g(TerminalProblem, ("无效商户", "Invalid merchant"), CALL_SUPPORT),
        "04" | "07" | "41" | "43" => g(
            ReferToIssuer,
            ("此卡不能使用", "This card cannot be used"),
            (
                "请没收或退还卡片并联系收单机构",
                "Keep or return the card as instructed and call the acquirer",
            ),
        ),
        "05" => g(
            ReferToIssuer,
            ("发卡行拒绝交易", "Declined by the card issuer"),
            ANOTHER_CARD,
        ),
        "10" => g(
            Approved,
            ("部分金额承兑", "Partially approved"),
            ("请收取剩余金额", "Collect the remaining amount another way"),
        ),
        "12" => g(
            CardholderAction,
            ("无效交易", "Invalid transaction"),
            ("请检查交易类型后重试", "Check the transaction type and try again"),
        ),
        "13" => g(
            CardholderAction,
            ("无效金额", "Invalid amount"),
            ("请检查金额后重试", "Check the amount and try again"),
        ),
        "14" => g(CardholderAction, ("无效卡号", "Invalid card number"), ANOTHER_CARD),
        "15" => g(CardholderAction, ("无此发卡行", "No such issuer"), ANOTHER_CARD),
        "22" => g(
            RetryLater,
            ("操作有误，请重试", "Suspected malfunction, try again"),
            TRY_LATER,
        ),
        "25" => g(
            CardholderAction,
            ("找不到原始交易", "Original transaction not found"),
            ("请核对原交易信息", "Check the original transaction's details"),
        ),
        "30" => g(TerminalProblem, ("报文格式错误", "Format error"), CALL_SUPPORT),
        "33" | "54" => g(CardholderAction, ("卡片已过期", "Card expired"), ANOTHER_CARD),
        "34" | "59" => g(ReferToIssuer, ("有作弊嫌疑", "Suspected fraud"), CALL_ISSUER),
        "40" | "57" | "58" => g(
            CardholderAction,
            ("此卡不支持该交易", "Transaction not permitted for this card"),
            ANOTHER_CARD,
        ),
        "51" => g(CardholderAction, ("余额不足", "Insufficient funds"), ANOTHER_CARD),
        "55" => g(
            CardholderAction,
            ("密码错误", "Incorrect PIN"),
            ("请持卡人重新输入密码", "Ask the cardholder to re-enter the PIN"),
        ),
        "61" => g(
            CardholderAction,
            ("超出取款金额限制", "Exceeds amount limit"),
            ("请减少金额或换卡", "Lower the amount or use another card"),
        ),
        "62" => g(ReferToIssuer, ("受限制的卡", "Restricted card"), ANOTHER_CARD),
        "64" => g(
            CardholderAction,
            ("原始金额不符", "Original amount incorrect"),
            ("请核对原交易金额", "Check the original transaction's amount"),
        ),
        "65" => g(
            CardholderAction,
            ("超出消费次数限制", "Exceeds frequency limit"),
            ANOTHER_CARD,
        ),
        "75" => g(
            CardholderAction,
            ("密码错误次数超限", "PIN tries exceeded"),
            ("请持卡人联系发卡行", "Ask the cardholder to contact the card issuer"),
        ),
        "90" | "91" | "92" | "96" | "98" => g(
            RetryLater,
            ("发卡行或网络暂不可用", "Issuer or network unavailable"),
            TRY_LATER,
        ),
        "94" => g(
            RetryLater,
            ("重复交易", "Duplicate transaction"),
            ("请查询上一笔交易结果", "Query the previous transaction before retrying"),
        ),
        "97" => g(TerminalProblem, ("终端未登记", "Terminal not registered"), CALL_SUPPORT),
        "99" | "A0" => g(
            SignOnRequired,
            ("请稍后重试", "Please try again shortly"),
            ("请重新签到", "Sign on again"),
        ),
        _ => g(ReferToIssuer, ("交易被拒绝", "Declined"), CALL_SUPPORT),
    }
}

/// Guidance for an approval that prints no receipt (sign-on, echo, balance inquiry, ...).
pub fn done() -> Guidance {
    g(Category::Approved, ("交易成功", "Approved"), ("完成", "Done"))
}

/// Guidance for an outcome that was reversed after being unknown (nothing was charged).
pub fn reversed() -> Guidance {
    g(
        Category::Reversed,
        ("交易未成功，未扣款", "Not completed: you have not been charged"),
        (
            "交易已冲正，可重新发起交易",
            "Reversed: start a new transaction if the customer wishes",
        ),
    )
}

/// Guidance for a reversal that was not confirmed (docs/architecture.md, rule 3).
pub fn reversal_not_confirmed() -> Guidance {
    g(
        Category::ContactAcquirer,
        (
            "交易结果未知，可能已扣款",
            "Outcome unknown: your card may have been charged",
        ),
        (
            "冲正未确认：卡可能已被扣款，请联系收单机构",
            "Reversal not confirmed: the card may have been charged; contact the acquirer",
        ),
    )
}

/// Guidance for a chip card that declined after the issuer approved: the approval was reversed.
pub fn declined_by_card() -> Guidance {
    g(
        Category::Reversed,
        (
            "卡片拒绝或被过早拔出，交易已取消，未扣款",
            "The card declined, or was removed too early: the payment was cancelled, nothing charged",
        ),
        (
            "交易已冲正；请重新发起（交易完成前请勿拔卡），或换卡、换其他支付方式",
            "Transaction reversed; start again (leave the card in until the end), or ask for another card or payment method",
        ),
    )
}

fn original(problem: OriginalProblem) -> Guidance {
    use Category::CardholderAction as C;
    use OriginalProblem::*;
    match problem {
        NotFound => g(
            C,
            ("原交易不存在", "Original transaction not found"),
            ("请核对原交易凭证号", "Check the original's trace number (STAN)"),
        ),
        PreviousBatch => g(
            C,
            ("原交易已结算", "Original already settled"),
            (
                "原交易不在当前批次，请做退货",
                "The original is in a settled batch: use a refund",
            ),
        ),
        AlreadyClosed => g(
            C,
            ("原交易已撤销或已完成", "Original already voided or completed"),
            ("无需再次撤销", "Nothing to do: it is already closed"),
        ),
        WrongType => g(
            C,
            ("原交易类型不符", "Wrong original transaction type"),
            (
                "请选择正确的交易类型",
                "Choose the matching transaction (void, completion void, ...)",
            ),
        ),
        AmountTooHigh => g(
            C,
            ("金额超过原交易", "Amount exceeds the original"),
            ("请输入不超过原交易的金额", "Enter an amount within the original's"),
        ),
        OtherCard => g(
            C,
            ("与原交易卡号不符", "Not the card of the original transaction"),
            (
                "请使用原交易的卡片",
                "Present the card the original transaction was made with",
            ),
        ),
    }
}

/// What is wrong with a command's data, as a sentence.
pub fn input_problem(problem: InputProblem) -> Text {
    use InputProblem::*;
    let (zh, en) = match problem {
        ZeroAmount => ("金额必须大于零", "The amount must be more than zero"),
        Pan => ("卡号应为12至19位数字", "The card number must be 12 to 19 digits"),
        Expiry => ("有效期格式应为YYMM", "The expiry date must be YYMM"),
        CardSequence => ("卡序列号应为3位数字", "The card sequence number must be 3 digits"),
        Track2 => (
            "二磁道数据应为最多37位数字和“=”",
            "Track 2 must be up to 37 digits and '='",
        ),
        Track3 => (
            "三磁道数据应为最多104位数字和“=”",
            "Track 3 must be up to 104 digits and '='",
        ),
        ChipData => ("IC卡数据最多255字节", "The chip data must be at most 255 bytes"),
        Pin => (
            "密码键盘上没有4至12位的密码：请持卡人重新输入密码",
            "The PIN pad holds no PIN of 4 to 12 digits: ask the cardholder to enter the PIN again",
        ),
        OriginalRrn => (
            "原交易参考号应为12位字母或数字",
            "The original reference number (RRN) must be 12 letters or digits",
        ),
        OriginalDate => ("原交易日期格式应为MMDD", "The original date must be MMDD"),
        TransactionFields => (
            "交易缺少必要信息（金额、原凭证号或原参考号和日期），或该交易不用卡",
            "The transaction lacks what it needs (amount, original trace number, or original reference number and date), or takes no card",
        ),
        NoOpenException => (
            "没有该凭证号的未确认异常",
            "No open exception has this trace number (STAN)",
        ),
        AuthCode => (
            "授权码应为6位字母或数字",
            "The authorization code must be 6 letters or digits",
        ),
    };
    Text::new(zh, en)
}

fn key_name(key: KeyKind) -> (&'static str, &'static str) {
    match key {
        KeyKind::Pin => ("PIN密钥", "PIN key (PIK)"),
        KeyKind::Mac => ("MAC密钥", "MAC key (MAK)"),
        KeyKind::TrackData => ("磁道加密密钥", "track data key (TDK)"),
    }
}

/// Guidance for local failures (nothing was charged), with the details the operator needs.
pub fn local(reason: &FailReason) -> Guidance {
    use Category::*;
    use FailReason::*;
    const NOT_SENT: (&str, &str) = ("交易未发送", "Not sent");
    match reason {
        NotSignedOn => g(
            SignOnRequired,
            ("终端未签到", "Terminal not signed on"),
            ("请先签到", "Sign on first"),
        ),
        OverLimit { limit } => gd(
            CardholderAction,
            ("超限", "Over limit"),
            format!("金额超过终端限额 RMB {}，请减少金额", money(*limit)),
            format!("The amount exceeds the terminal's limit of RMB {}: lower it", money(*limit)),
        ),
        InvalidInput { problem } => {
            let text = input_problem(*problem);
            gd(
                CardholderAction,
                ("输入有误", "Invalid input"),
                format!("{}，请更正后重试", text.zh),
                format!("{}: correct it and try again", text.en),
            )
        }
        Busy => g(
            RetryLater,
            ("终端忙", "Terminal busy"),
            (
                "另一笔交易正在进行，请等待其结束",
                "Another transaction is in progress: wait for it to finish",
            ),
        ),
        JournalUnavailable { cause } => gd(
            TerminalProblem,
            NOT_SENT,
            format!("流水无法保存（{cause}），交易未发送，未扣款；请检查终端存储后重试"),
            format!("The journal could not be written ({cause}): nothing was sent or charged; check the terminal's storage, then try again"),
        ),
        SecurityModule { reason } => gd(
            TerminalProblem,
            NOT_SENT,
            format!("安全模块错误（{reason}），请重新签到或联系维护"),
            format!("Security module error ({reason}): sign on again or call support"),
        ),
        KeyCheckFailed { key } => {
            let (zh, en) = key_name(*key);
            gd(
                TerminalProblem,
                ("签到失败", "Sign-on failed"),
                format!("{zh}校验值不符，请重新签到或联系收单机构"),
                format!("The {en} failed its check value: sign on again or call the acquirer"),
            )
        }
        TerminalFailed => g(
            TerminalProblem,
            ("终端故障", "Terminal fault"),
            (
                "流水写入失败，请重启终端（将从流水恢复）",
                "A journal write failed: restart the terminal (it recovers from its journal)",
            ),
        ),
        Original { problem } => original(*problem),
        SettlementInProgress => g(
            RetryLater,
            ("正在结算", "Settlement in progress"),
            (
                "请先完成结算",
                "Finish the settlement first (settle again to resume it)",
            ),
        ),
        RefundPending { stan } => gd(
            RetryLater,
            ("有未完成的退货", "A refund is pending"),
            format!("退货（凭证号 {stan:06}）尚未得到应答，请稍后再结算"),
            format!("The refund with trace number {stan:06} is still unanswered: settle again later"),
        ),
        AdvicePending { stan } => gd(
            RetryLater,
            ("有未送达的通知", "An advice is pending"),
            format!("通知（凭证号 {stan:06}）尚未得到应答，终端会自动重发；请稍后再结算"),
            format!("The advice with trace number {stan:06} is still unanswered and is being resent: settle again later"),
        ),
        NoReply => g(
            RetryLater,
            ("无应答，请稍后重试", "No reply, try again later"),
            (
                "未收到有效应答，未扣款；请稍后重试",
                "No valid reply, nothing was charged; try again later",
            ),
        ),
        AcquirerUnreachable { cause } => gd(
            RetryLater,
            ("无法连接收单机构，未扣款", "Could not reach the acquirer: not charged"),
            format!("{cause}。交易未发送，未扣款；请检查网络和收单机构地址后重试"),
            format!("{cause}. Nothing was sent, nothing was charged: check the network and the acquirer's address, then try again"),
        ),
        UnreadableReply { detail } => gd(
            TerminalProblem,
            ("应答无法识别", "Unreadable reply"),
            format!("收单机构的应答无法识别（{detail}），请联系收单机构"),
            format!("The acquirer's reply could not be read ({detail}): call the acquirer"),
        ),
        Internal { detail } => gd(
            TerminalProblem,
            ("终端内部错误，交易未发送", "Internal error: nothing was sent"),
            format!("终端内部错误，未扣款；请联系终端维护（{detail}）"),
            format!("Internal error, nothing was charged: call terminal support ({detail})"),
        ),
        Card { outcome } => card_not_read(*outcome),
    }
}

/// The card phase ended without a card (nothing was sent): what to tell the cardholder and do.
fn card_not_read(outcome: ReaderOutcome) -> Guidance {
    use Category::*;
    use ReaderOutcome::*;
    let (category, cardholder, merchant) = match outcome {
        // These continue the card phase; they end it only if a host reports them at the end.
        TryAgain => (
            CardholderAction,
            ("挥卡中断，未扣款", "The tap was cut short: not charged"),
            (
                "请重新挥卡，保持卡片直至提示音",
                "Tap again and hold the card until the beep",
            ),
        ),
        TryAnotherInterface | ChipReadFailed => (
            CardholderAction,
            (
                "请改用其他方式读卡，未扣款",
                "Use another way to read the card: not charged",
            ),
            ("请插卡或刷卡", "Insert or swipe the card"),
        ),
        EndApplication => (
            CardholderAction,
            (
                "卡片无法使用，交易终止，未扣款",
                "The card cannot be used: transaction ended, not charged",
            ),
            (
                "请换一张卡或其他支付方式",
                "Ask for another card or another payment method",
            ),
        ),
        CardBlocked => (
            ReferToIssuer,
            ("卡片已锁定，未扣款", "The card is blocked: not charged"),
            (
                "请换一张卡；持卡人请联系发卡行",
                "Ask for another card; the cardholder should call the issuer",
            ),
        ),
        CardExpired => (
            CardholderAction,
            ("卡片已过期，未扣款", "The card has expired: not charged"),
            (
                "请换一张卡；持卡人请联系发卡行",
                "Ask for another card; the cardholder should call the issuer",
            ),
        ),
        CardNotActivated => (
            ReferToIssuer,
            ("卡片未激活，未扣款", "The card is not activated: not charged"),
            (
                "请换一张卡；持卡人请联系发卡行激活",
                "Ask for another card; the cardholder should have the issuer activate it",
            ),
        ),
        NoCard => (
            RetryLater,
            ("交易超时，未扣款", "Timed out waiting for the card: not charged"),
            ("顾客准备好后请重新发起交易", "Start again when the customer is ready"),
        ),
        Cancelled => (
            CardholderAction,
            ("交易已取消，未扣款", "Cancelled: not charged"),
            (
                "顾客取消了交易；需要时请重新发起",
                "The customer cancelled; start again if needed",
            ),
        ),
        CardRemoved => (
            CardholderAction,
            (
                "卡片被拔出，交易终止，未扣款",
                "The card was removed: transaction ended, not charged",
            ),
            (
                "请重新发起交易，交易完成前请勿拔卡",
                "Start again, and leave the card in until the transaction ends",
            ),
        ),
    };
    g(category, cardholder, merchant)
}

/// What the card reader shows when the card is asked for: the interfaces offered, after the
/// reader's last outcome, if any.
pub fn card_prompt(interfaces: Interfaces, fallback: bool, after: Option<ReaderOutcome>) -> Text {
    let ways = match (interfaces.magstripe, interfaces.chip, interfaces.contactless) {
        (true, true, true) => ("请刷卡、插卡或挥卡", "Swipe, insert or tap the card"),
        (true, true, false) => ("请插卡或刷卡", "Insert or swipe the card"),
        (true, false, false) if fallback => ("芯片无法读取，请刷卡", "The chip cannot be read: swipe the card"),
        (true, false, false) => ("请刷卡", "Swipe the card"),
        (false, true, _) => ("请插卡", "Insert the card"),
        _ => ("请出示卡片", "Present the card"),
    };
    match after {
        Some(ReaderOutcome::TryAgain) => Text::new(
            "请重新挥卡，保持卡片直至提示音",
            "Tap again and hold the card until the beep",
        ),
        Some(ReaderOutcome::TryAnotherInterface) => Text {
            zh: format!("此卡不能挥卡，{}", ways.0),
            en: format!("This card cannot be tapped: {}", ways.1),
        },
        _ => Text::new(ways.0, ways.1),
    }
}

/// What the PIN pad shows when a PIN is asked for.
pub fn pin_prompt() -> Text {
    Text::new("请输入密码", "Enter your PIN")
}
