//! What each finding means and what the merchant does next, in Chinese and English, with the
//! fields the acquirer asks for (date, time, amount, terminal id, STAN, RRN, auth code).

use super::books::JournalTransaction;
use super::matcher::Finding;
use super::report::Facts;
use super::statement::StatementEntry;
use crate::guidance::{money, Text};

fn text(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

impl Facts {
    /// The fields to give the acquirer, in both languages.
    pub fn text(&self) -> Text {
        let amount = self.amount.map(money).unwrap_or_else(|| "-".into());
        let rrn = self.rrn.as_deref().unwrap_or("-");
        let auth = self.auth_code.as_deref().unwrap_or("-");
        text(
            format!(
                "日期 {} 时间 {} 金额 {} 终端号 {} 批次号 {:06} 凭证号 {:06} 参考号 {} 授权码 {}",
                self.date, self.time, amount, self.terminal_id, self.batch, self.stan, rrn, auth
            ),
            format!(
                "date {} time {} amount {} terminal {} batch {:06} STAN {:06} RRN {} auth code {}",
                self.date, self.time, amount, self.terminal_id, self.batch, self.stan, rrn, auth
            ),
        )
    }
}

/// Headline and guidance for one finding.
pub fn explain(
    finding: Finding,
    entry: Option<&StatementEntry>,
    t: Option<&JournalTransaction>,
    facts: &Facts,
) -> (Text, Text) {
    let give = facts.text();
    let credit = facts.transaction.is_some_and(|k| k.is_credit());
    match finding {
        Finding::Credited => (
            text("已到账", "Credited"),
            text("结算单与终端一致，无需处理。", "The statement agrees with the terminal. Nothing to do."),
        ),
        Finding::Reversed => (
            text("已冲正，未扣款", "Reversed: nothing charged"),
            text(
                "收单机构已冲正此交易，终端也未记为成功：持卡人未被扣款，商户也不会入账。无需处理。",
                "The acquirer reversed it and the terminal did not approve it either: the customer was not charged and nothing is credited. Nothing to do.",
            ),
        ),
        Finding::ReversedAfterApproval => (
            text("终端成功但收单机构已冲正，未到账", "Approved at the terminal, reversed by the acquirer: not credited"),
            text(
                format!("终端记为成功，但结算单显示已冲正，款项不会入账。请联系收单机构核实，并提供：{}。", give.zh),
                format!("The terminal approved it but the statement shows it reversed: it will not be credited. Contact the acquirer to check, and give: {}.", give.en),
            ),
        ),
        Finding::Held => {
            let net = entry.map(|e| e.net).unwrap_or(0);
            (
                text("差错交易：收单机构暂扣或调整", "Error item (差错): held or adjusted by the acquirer"),
                text(
                    format!("结算单将此交易列为差错（本次入账 {}）。请联系收单机构了解原因及处理时间，并提供：{}。", signed_money(net), give.zh),
                    format!("The statement lists it as an error item (credited now: {}). Contact the acquirer for the reason and when it will be settled, and give: {}.", signed_money(net), give.en),
                ),
            )
        }
        Finding::LateApproval => (
            text("超时后收单机构批准（L）：已扣款，终端未记成功", "Approved by the acquirer after the terminal's timeout (L): charged, not approved at the terminal"),
            late_or_unconfirmed(&give, credit),
        ),
        Finding::ChargedAfterUnconfirmedReversal => (
            text("冲正未确认，收单机构已扣款", "Reversal not confirmed, and the acquirer charged it"),
            late_or_unconfirmed(&give, credit),
        ),
        Finding::ChargedWhileNotApproved { verdict } => {
            let said = verdict.text();
            (
                text(format!("收单机构已扣款，终端记为：{}", said.zh), format!("Charged by the acquirer; the terminal recorded: {}", said.en)),
                late_or_unconfirmed(&give, credit),
            )
        }
        Finding::UnknownToTerminal => (
            text("终端无此交易记录，收单机构已扣款", "Charged by the acquirer, unknown to this terminal"),
            text(
                format!("此终端的流水和已结算批次中都没有这笔交易（可能早于保存期限，或来自被替换的终端）。请联系收单机构核实，并提供：{}。", give.zh),
                format!("Neither the journal nor the archive of settled batches has this transaction (it may be older than the archive keeps, or from a replaced terminal). Contact the acquirer to check, and give: {}.", give.en),
            ),
        ),
        Finding::Pending { due } => (
            text("未到账：等待下一份结算单", "Not credited yet: wait for the next statement"),
            text(
                format!("终端记为成功，尚未出现在结算单上。按 T+1 结算，应出现在 {} 的结算单上，请届时再对账。", due.display()),
                format!("Approved at the terminal and not on a statement yet. With T+1 settlement it is due on the statement of {}: reconcile again then.", due.display()),
            ),
        ),
        Finding::Overdue { due } => (
            text("未到账：已过结算日期", "Not credited (未到账), past its statement date"),
            text(
                format!("终端记为成功，但到 {} 的结算单仍未列出。请联系收单机构，并提供：{}。", due.display(), give.zh),
                format!("Approved at the terminal, but not on the statements up to {}. Contact the acquirer, and give: {}.", due.display(), give.en),
            ),
        ),
        Finding::AmountDiffers => {
            let ours = t.and_then(|t| t.amount).map(money).unwrap_or_else(|| "-".into());
            let theirs = entry.map(|e| money(e.amount)).unwrap_or_else(|| "-".into());
            (
                text("金额不符", "Amounts differ"),
                text(
                    format!("终端金额 {ours}，结算单金额 {theirs}。请联系收单机构更正，并提供：{}。", give.zh),
                    format!("The terminal has {ours}, the statement {theirs}. Contact the acquirer to correct it, and give: {}.", give.en),
                ),
            )
        }
        Finding::TypeDiffers => {
            let ours = t.map(|t| t.transaction.label());
            let theirs = entry.map(|e| e.transaction.label());
            let (oz, oe) = ours.unwrap_or(("-", "-"));
            let (tz, te) = theirs.unwrap_or(("-", "-"));
            (
                text("交易类型不符", "Types differ"),
                text(
                    format!("终端记为{oz}，结算单为{tz}。请联系收单机构，并提供：{}。", give.zh),
                    format!("The terminal has {oe}, the statement {te}. Contact the acquirer, and give: {}.", give.en),
                ),
            )
        }
        Finding::RrnDiffers => {
            let theirs = entry.map(|e| e.rrn.as_str()).unwrap_or("-");
            (
                text("参考号不符", "RRNs differ"),
                text(
                    format!("同一凭证号的交易，结算单参考号为 {theirs}。请联系收单机构核实，并提供：{}。", give.zh),
                    format!("The statement shows RRN {theirs} for this STAN. Contact the acquirer to check, and give: {}.", give.en),
                ),
            )
        }
        Finding::RrnUnderOtherStan { stan } => (
            text(format!("参考号属于终端的另一笔交易（凭证号 {stan:06}）"), format!("The RRN belongs to another transaction of the terminal (STAN {stan:06})")),
            text(
                format!("结算单此行的参考号与终端凭证号 {stan:06} 的交易相同，但凭证号不同；未自动匹配。请联系收单机构核实，并提供：{}。", give.zh),
                format!("This statement line carries the RRN of the terminal's STAN {stan:06} under another STAN; it was not matched. Contact the acquirer to check, and give: {}.", give.en),
            ),
        ),
        Finding::NotCharged => (
            text("未扣款", "Not charged"),
            text("终端未记成功，结算单也无此交易：双方一致，无需处理。", "Not approved at the terminal and not on the statement: both agree. Nothing to do."),
        ),
        Finding::NotCovered { first, last } => (
            text("未核对：缺少对应日期的结算单", "Not checked: its statement was not loaded"),
            text(
                format!("此交易应在 {} 或 {} 的结算单上，请加载该日结算单再对账。", first.display(), last.display()),
                format!("It is due on the statement of {} or {}: load that statement and reconcile again.", first.display(), last.display()),
            ),
        ),
        Finding::OtherTerminal => (
            text("其他终端的交易", "Another terminal's entry"),
            text(
                format!("此行属于终端 {}，请在该终端上对账。", facts.terminal_id),
                format!("This line belongs to terminal {}: reconcile it on that terminal.", facts.terminal_id),
            ),
        ),
    }
}

/// Charged (or credited back) by the acquirer although the terminal told the operator it failed.
fn late_or_unconfirmed(give: &Text, credit: bool) -> Text {
    if credit {
        text(
            format!("收单机构已向持卡人退款，但终端未记为成功。如已用其他方式再次退款，请联系收单机构追回，并提供：{}。", give.zh),
            format!("The acquirer gave the customer this money back although the terminal did not approve it. If the customer was refunded again another way, contact the acquirer to recover it, and give: {}.", give.en),
        )
    } else {
        text(
            format!("持卡人已被扣款，款项会入账给商户，但终端当时显示未成功。如持卡人因此再次付款，请为其中一笔办理退货（使用本行参考号），或联系收单机构；提供：{}。", give.zh),
            format!("The customer was charged and the money is credited to you, although the terminal showed the payment as failed. If the customer paid again because of it, refund one of the payments (退货, with this line's RRN) or contact the acquirer; give: {}.", give.en),
        )
    }
}

fn signed_money(net: i64) -> String {
    let sign = if net < 0 { "-" } else { "" };
    format!("{sign}{}", money(net.unsigned_abs()))
}
