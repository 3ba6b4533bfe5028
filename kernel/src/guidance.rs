//! What to tell the cardholder and the merchant for every response code (DESIGN.md rule 11),
//! in Chinese and English.

use serde::{Deserialize, Serialize};

/// A message in both languages the terminal displays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// How an outcome sorts for the operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// Guidance for a reversal that was not confirmed (DESIGN.md rule 3).
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
            "卡片拒绝交易，未扣款",
            "Declined by the card: you have not been charged",
        ),
        (
            "卡片拒绝，交易已冲正；请换卡或换其他支付方式",
            "Card declined, transaction reversed; ask for another card or payment method",
        ),
    )
}

fn original(problem: crate::engine::OriginalProblem) -> Guidance {
    use crate::engine::OriginalProblem::*;
    use Category::CardholderAction as C;
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
    }
}

/// Guidance for local failures, before anything was sent.
pub fn local(reason: &crate::engine::FailReason) -> Guidance {
    use crate::engine::FailReason::*;
    use Category::*;
    match reason {
        NotSignedOn => g(
            SignOnRequired,
            ("终端未签到", "Terminal not signed on"),
            ("请先签到", "Sign on first"),
        ),
        OverLimit { .. } => g(
            CardholderAction,
            ("超限", "Over limit"),
            (
                "金额超过终端限额，请减少金额",
                "The amount exceeds the terminal's limit: lower it",
            ),
        ),
        InvalidInput { .. } => g(
            TerminalProblem,
            ("输入有误", "Invalid input"),
            ("请检查输入后重试", "Check the input and try again"),
        ),
        Busy => g(
            RetryLater,
            ("终端忙", "Terminal busy"),
            ("请等待当前交易结束", "Wait for the current transaction to finish"),
        ),
        JournalUnavailable => g(
            TerminalProblem,
            ("交易未发送", "Not sent"),
            (
                "流水无法保存，交易未发送；请检查终端存储后重试",
                "The journal could not be written, nothing was sent; check the terminal's storage",
            ),
        ),
        SecurityModule { .. } => g(
            TerminalProblem,
            ("交易未发送", "Not sent"),
            (
                "安全模块错误，请重新签到或联系维护",
                "Security module error: sign on again or call support",
            ),
        ),
        KeyCheckFailed { .. } => g(
            TerminalProblem,
            ("签到失败", "Sign-on failed"),
            (
                "工作密钥校验值不符，请重新签到或联系收单机构",
                "Working key check value mismatch: sign on again or call the acquirer",
            ),
        ),
        TerminalFailed => g(
            TerminalProblem,
            ("终端故障", "Terminal fault"),
            ("请重启终端", "Restart the terminal"),
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
        RefundPending { .. } => g(
            RetryLater,
            ("有未完成的退货", "A refund is pending"),
            (
                "退货尚未得到应答，请稍后再结算",
                "A refund is still unanswered: settle again later",
            ),
        ),
        NoReply => g(
            RetryLater,
            ("无应答，请稍后重试", "No reply, try again later"),
            (
                "未收到有效应答，未扣款；请稍后重试",
                "No valid reply, nothing was charged; try again later",
            ),
        ),
    }
}
