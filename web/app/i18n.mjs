// Chinese and English. Every label of the page is a key here; `t(key, params)` picks the current
// language and fills {name} placeholders. Elements with data-i18n="key" are filled by applyI18n.
// Kernel texts (outcome guidance) already come in both languages: `pick` chooses one.
const DICT = {
  title: ["虚拟 POS 终端", "Virtual POS terminal"],
  subtitle: ["同一支付内核（WebAssembly）· 冲正纪律演示", "One payment kernel (WebAssembly) · the reversal discipline, live"],
  lang_toggle: ["English", "中文"],
  reset: ["全部重置", "Reset everything"],
  reset_confirm: ["清空终端流水、银行和跟踪记录，重新开始？", "Clear the terminal journal, the bank and the trace, and start again?"],
  boot_error: ["启动失败", "Start-up failed"],
  error: ["错误", "Error"],

  // The device
  device_model: ["VT-520 智能终端", "VT-520 smart terminal"],
  printer: ["打印机", "Printer"],
  paper_empty: ["（尚未打印）", "(nothing printed yet)"],
  slips_older: ["更早的打印单据", "Earlier slips"],
  chip_slot: ["IC 卡插口", "Chip slot"],
  swipe_slot: ["磁条刷卡槽", "Magstripe"],
  tap_zone: ["非接感应区", "Tap here"],

  // Keys
  key_cancel: ["取消", "Cancel"],
  key_back: ["退格", "Back"],
  key_clear: ["清除", "Clear"],
  key_ok: ["确认", "OK"],
  key_menu: ["菜单", "Menu"],

  // Transactions
  // The transaction kinds' own names come from the kernel (setKinds); these are the menu's other
  // entries and the terminal's own messages.
  "txn.settle": ["结算", "Settle"],
  "txn.query": ["交易查询", "Query"],
  "txn.status": ["终端状态", "Status"],
  "txn.reversal": ["冲正", "reversal"],
  "txn.batch_upload": ["批上送", "batch upload"],

  // Screen
  status_signed_on: ["已签到", "Signed on"],
  status_not_signed_on: ["未签到", "Not signed on"],
  status_sign_on_required: ["需重新签到", "Sign on again"],
  status_reversal: ["冲正待发", "Reversal pending"],
  status_waiting: ["等待应答", "Waiting for the acquirer"],
  status_waiting_card: ["等待卡片", "Waiting for the card"],
  status_exceptions: ["异常 {n}", "Exceptions {n}"],
  status_net_down: ["网络断开", "Network down"],
  screen_batch: ["批次", "Batch"],
  screen_stan: ["流水", "STAN"],
  prompt_menu: ["请选择交易（数字键或触摸）", "Select a transaction (number key or touch)"],
  prompt_field: ["输入后按【确认】", "Key in, then press OK"],
  prompt_field_hint: ["直接按【确认】使用 {hint}", "Press OK to use {hint}"],
  prompt_card: ["请插卡、挥卡或刷卡", "Insert, tap or swipe a card"],
  prompt_card_hint: ["在右侧卡片托盘选择一张测试卡", "Pick a test card from the card tray"],
  prompt_pin: ["请持卡人输入密码", "Cardholder: enter the PIN"],
  prompt_pin_hint: ["使用密码键盘，完成后按【确认】", "Use the PIN pad, then press OK"],
  prompt_back: ["按【确认】返回菜单", "Press OK to return to the menu"],
  invalid_field: ["输入无效", "Invalid entry"],
  card_read: ["卡号 {card}（{how}）", "Card {card} ({how})"],
  "how.tap": ["挥卡", "tap"],
  "how.insert": ["插卡", "chip"],
  "how.swipe": ["刷卡", "swipe"],
  "entry.manual": ["手输", "keyed"],
  "entry.magstripe": ["刷卡", "swipe"],
  "entry.chip": ["插卡", "chip"],
  "entry.contactless": ["挥卡", "tap"],
  // What the card reader can report instead of a card (the kernel's reader outcomes).
  reader_title: ["读卡器状况", "The card reader"],
  "reader.try_again": ["挥卡中断（卡片移开）", "Tap cut short (card moved)"],
  "reader.try_another_interface": ["卡片要求插卡", "Card asks to be inserted"],
  "reader.chip_read_failed": ["芯片无法读取", "Chip cannot be read"],
  "reader.end_application": ["卡片错误", "Card error"],
  "reader.card_blocked": ["卡片已锁定", "Card blocked"],
  "reader.card_expired": ["卡片已过期", "Card expired"],
  "reader.card_not_activated": ["卡片未激活", "Card not activated"],
  "reader.no_card": ["无卡（超时）", "No card (timed out)"],
  "reader.cancelled": ["顾客取消", "Customer cancels"],
  "reader.card_removed": ["卡片被拔出", "Card pulled out"],
  pull_card: ["下一笔插卡交易：批准后、完成前拔卡", "Next chip sale: pull the card out after the approval"],
  pull_card_armed: ["已设置：下一张 IC 卡将被过早拔出", "Set: the next chip card will be pulled out early"],
  "trace.card_presented": ["读卡：{card}（{how}）", "card read: {card} ({how})"],
  "trace.card_reader": ["读卡器：{outcome}", "card reader: {outcome}"],
  "trace.pin_entered": ["密码键盘：已输入密码", "PIN pad: PIN entered"],

  field_amount: ["金额（元）", "Amount (CNY)"],
  field_original_stan: ["原凭证号（STAN）", "Original STAN"],
  field_original_rrn: ["原参考号（RRN，12 位）", "Original RRN (12 digits)"],
  field_original_date: ["原交易日期（MMDD）", "Original date (MMDD)"],
  field_stan: ["凭证号（STAN）", "STAN"],

  phase_sending: ["正在发送…", "Sending…"],
  phase_waiting: ["等待银行应答", "Waiting for the bank"],
  phase_card: ["卡片处理中…", "Card processing…"],
  phase_unknown: ["无应答：结果未知，正在冲正", "No reply: outcome unknown, reversing"],
  phase_reversal: ["正在发送冲正（第 {attempt} 次）", "Sending the reversal (attempt {attempt})"],
  phase_refund_pending: ["退货未应答：将以原凭证号重发", "Refund unanswered: it will be resent (same STAN)"],
  phase_settlement: ["结算：{phase}", "Settlement: {phase}"],
  phase_sign_on_required: ["收单机构要求重新签到", "The acquirer asks for a new sign-on"],
  phase_reply_ignored: ["应答被忽略：{reason}", "Reply ignored: {reason}"],
  phase_journal_failed: ["流水写入失败：终端停止", "Journal write failed: terminal halted"],
  phase_not_sent: ["未能发出：{cause}", "Could not be sent: {cause}"],
  timeout_in: ["超时 {s} 秒", "timeout in {s} s"],
  background_reversal: ["后台冲正", "Reversal in the background"],

  merchant: ["收银员", "Merchant"],
  cardholder: ["持卡人", "Cardholder"],
  response_code: ["应答码", "Response code"],
  reason: ["原因", "Reason"],
  amount: ["金额", "Amount"],
  balance: ["余额", "Balance"],
  stan: ["凭证号", "STAN"],
  batch: ["批次号", "Batch"],
  rrn: ["参考号", "RRN"],
  none: ["无", "none"],
  yes: ["是", "yes"],
  no: ["否", "no"],

  "result.approved": ["成功", "approved"],
  "result.declined": ["拒绝", "declined"],
  "result.failed": ["失败，未扣款", "failed, not charged"],
  "result.settled_unbalanced": ["结算完成，总额不符", "settled, totals did not agree"],
  "result.reversed": ["已冲正", "reversed"],
  "result.reversal_failed": ["冲正未确认", "reversal not confirmed"],

  query_none: ["本批次没有该凭证号的交易", "No transaction with that STAN in this batch"],
  query_charged: ["是否扣款", "Charged"],
  query_steps: ["过程", "Steps"],
  "charged.yes": ["是（已扣款）", "yes (charged)"],
  "charged.closed": ["否（已撤销/完成）", "no longer (voided, cancelled or completed)"],
  "charged.no": ["否", "no"],
  "charged.pending": ["处理中（冲正或退货待发）", "pending (a reversal or refund is being sent)"],
  "charged.unknown": ["未知：请联系收单机构", "unknown: contact the acquirer"],

  // Card tray and PIN pad
  cards_title: ["测试卡托盘", "Test cards"],
  cards_hint: ["选择交易并输入金额后，出示一张卡", "Choose a transaction and amount, then present a card"],
  card_no_pin: ["免密", "no PIN"],
  card_pin: ["密码 {pin}", "PIN {pin}"],
  card_foreign: ["外卡", "foreign"],
  card_expired: ["已过期", "expired"],
  card_unknown: ["发卡行未知", "unknown to the bank"],
  card_balance: ["余额 {amount}", "balance {amount}"],
  pinpad_title: ["密码键盘", "PIN pad"],
  pinpad_idle: ["待机", "Idle"],
  pinpad_enter: ["请输入密码", "Enter PIN"],

  // Bank and network
  bank_title: ["收单银行（模拟）与故障开关", "Acquirer (simulated) and fault switches"],
  faults_next: ["下一次应答：", "Next reply:"],
  fault_drop: ["丢弃应答", "Drop reply"],
  fault_delay: ["延迟应答", "Delay reply"],
  fault_bad_mac: ["MAC 错误", "Bad MAC"],
  fault_other: ["其他故障…", "Other fault…"],
  faults_clear: ["清除故障", "Clear faults"],
  faults_pending: ["待生效故障", "Queued faults"],
  network: ["网络", "Network"],
  network_down: ["网络断开", "Network down"],
  network_help: ["断开时报文无法发出：终端立即得知（未发送，未扣款）", "While down, no frame can leave: the terminal is told at once (nothing sent, nothing charged)"],
  net_charged: ["本终端净扣款", "Net charged via this terminal"],
  ledger: ["银行账本", "Bank ledger"],
  ledger_empty: ["（无记录）", "(empty)"],
  ledger_reversed: ["已冲正", "reversed"],
  ledger_voided: ["已撤销", "voided"],
  "fault.drop-reply": ["丢弃应答", "drop the reply"],
  "fault.delay-reply": ["延迟应答", "delay the reply"],
  "fault.bad-mac": ["MAC 错误", "bad MAC"],
  "fault.wrong-stan": ["应答流水号错误", "wrong STAN in the reply"],
  "fault.wrong-tid": ["应答终端号错误", "wrong terminal id in the reply"],
  "fault.wrong-amount": ["应答金额错误", "wrong amount in the reply"],
  "fault.wrong-mti": ["应答消息类型错误", "wrong MTI in the reply"],
  "fault.answer-twice": ["重复应答", "answer twice"],
  "fault.garbage": ["乱码应答", "garbage instead of the reply"],
  "fault.close": ["关闭连接", "close the connection"],
  "fault.sign-on-again": ["要求重新签到", "ask for a new sign-on"],
  "fault.unreadable-settlement": ["结算应答无法识别", "unreadable settlement reply"],
  "fault.refuse-settlement": ["拒绝结算", "refuse the settlement"],
  "timer.response": ["应答", "response"],
  "timer.retry": ["重试", "retry"],
  "timer.card": ["卡片确认", "card verdict"],
  "timer.card_entry": ["等待卡片", "waiting for the card"],

  // Trace
  trace_title: ["报文跟踪", "Message trace"],
  trace_help: ["终端 ⇄ 银行的每一帧、定时器和流水写入；点击报文查看解码字段", "Every frame between terminal and bank, timers and journal writes; click a frame for its fields"],
  trace_clear_view: ["只看报文", "Frames only"],
  trace_empty: ["（暂无）", "(nothing yet)"],
  "trace.power_restore": ["通电：从流水恢复（{n} 条记录）", "Power on: restored from the journal ({n} records)"],
  "trace.power_new": ["通电：新终端", "Power on: new terminal"],
  "trace.power_after_cut": ["断电后重新上电", "after a power cut"],
  "trace.timer_fired_response": ["应答超时（{s} 秒无应答）", "Response timeout fired (no reply in {s} s)"],
  "trace.timer_fired_retry": ["重试定时器到期", "Retry timer fired"],
  "trace.timer_fired_card": ["卡片确认超时（{s} 秒）：视为卡片拒绝", "Card verdict overdue ({s} s): counted as declined by the card"],
  "trace.timer_fired_card_entry": ["等待卡片超时（{s} 秒）：交易超时，未发送", "No card in time ({s} s): timed out, nothing sent"],
  "trace.timer_armed": ["{timer}定时器：{s} 秒", "{timer} timer armed: {s} s"],
  "trace.timer_cancelled": ["{timer}定时器取消", "{timer} timer cancelled"],
  "trace.persist": ["写流水 +1：{summary}", "journal +1: {summary}"],
  "trace.compact": ["流水压缩为 1 条快照", "journal compacted to one snapshot"],
  // Reconciliation (对账) and reprint
  recon_title: ["对账 · 是否到账", "Was I paid? Reconciliation"],
  recon_help: ["用收单机构的结算单（对账文件）核对终端流水及已结算批次：每笔交易是否到账，未到账怎么办。", "Match the acquirer's statements against the terminal's journal and its settled batches: was each payment credited, and what to do if not."],
  recon_bank: ["用银行结算单对账", "Reconcile with the bank's statements"],
  recon_file: ["加载结算单文件…", "Load statement files…"],
  recon_download: ["下载结算单：", "Download a statement:"],
  recon_no_statement: ["银行尚无结算单（结算日为交易次日）", "The bank has no statement yet (a payment's statement is the next day's)"],
  recon_statements: ["结算单日期：{dates}", "Statements of {dates}"],
  recon_credited: ["已到账", "credited"],
  recon_pending: ["待到账", "pending"],
  recon_chase: ["需处理", "to chase"],
  recon_day: ["{date} 结算单：入账 {net}，流水预期 {expected}", "Statement {date}: net {net}, the journal expects {expected}"],
  recon_all_credited: ["结算单上的每笔交易均按终端记录到账，无需处理。", "Every payment on the statements is credited as the terminal recorded it. Nothing to do."],
  recon_date: ["日期时间", "Date, time"],
  recon_terminal: ["终端号", "Terminal"],
  recon_rrn: ["参考号 · 授权码", "RRN · auth code"],
  recon_card: ["卡号", "Card"],
  recon_life: ["交易经过：", "The transaction's life:"],
  recon_no_life: ["终端无此交易的记录", "The terminal has no record of it"],
  "bucket.credited": ["已到账", "credited"],
  "bucket.reversed_or_held": ["已冲正或差错", "reversed or held (差错)"],
  "bucket.charged_not_approved": ["已扣款，终端未成功", "charged, not approved at the terminal"],
  "bucket.not_credited": ["未到账", "not credited (未到账)"],
  "bucket.differs": ["不符", "differs"],
  "bucket.not_charged": ["未扣款", "not charged"],
  "bucket.not_covered": ["未加载结算单", "statement not loaded"],
  "bucket.other_terminal": ["其他终端", "another terminal"],
  "action.none": ["无需处理", "OK"],
  "action.wait": ["等待", "WAIT"],
  "action.chase": ["需处理", "CHASE"],
  "life.sent": ["已发送", "sent"],
  "life.approved": ["成功", "approved"],
  "life.declined": ["拒绝", "declined"],
  "life.reversal_reason": ["结果未知，冲正", "outcome unknown, reversal"],
  "life.reversed": ["已冲正", "reversed"],
  "life.reversal_not_confirmed": ["冲正未确认", "reversal not confirmed"],
  "life.exception_acknowledged": ["异常已确认", "exception acknowledged"],
  "life.closed_by": ["被后续交易关闭", "closed by"],
  "life.never_sent": ["未发出", "never sent"],
  reprint_title: ["重打印：", "Reprint:"],
  reprint_last: ["最后一笔", "last receipt"],
  reprint_by_stan: ["按凭证号", "by STAN"],
  reprint_settlement: ["结算单", "settlement report"],
  reprint_mark: ["重打印", "REPRINT"],
  "trace.card_reader_data": ["读卡器获得收单机构下载的 {keys} 个公钥、{aids} 个AID参数", "card reader given the acquirer's {keys} CA keys and {aids} AID parameter sets"],
  "trace.event_management": ["{task}：{step}", "{task}: {step}"],
  "trace.event_header_ignored": ["应答报文头要求 {digit}，本终端不支持：忽略", "reply header asks for {digit}, which this terminal does not do: ignored"],
  "trace.bank_ask": ["收单机构将在应答报文头中要求：{task}", "the bank will ask in its replies' header for: {task}"],
  "trace.bank_script": ["收单机构下笔IC卡批准将带发卡行脚本", "the bank's next chip approval carries an issuer script"],
  "bank_asks": ["收单要求（报文头）", "The bank asks (reply header)"],
  "bank_script": ["下笔批准带发卡行脚本", "issuer script with the next approval"],
  "task.parameters": ["参数下载", "parameter download"],
  "task.status_upload": ["状态上送", "status upload"],
  "task.ca_keys": ["公钥下载", "CA key update"],
  "task.ic_parameters": ["IC卡参数下载", "IC parameter update"],
  "st_downloads": ["下载参数", "Downloads"],
  "st_dl_parameters": ["终端参数", "parameters"],
  "st_dl_ca_keys": ["公钥", "CA keys"],
  "st_dl_ic": ["IC卡参数（AID）", "IC parameters (AIDs)"],
  "st_dl_none": ["未下载（使用终端配置）", "not downloaded (the terminal's configuration)"],
  "st_dl_nothing": ["未下载", "none downloaded"],
  "st_dl_due": ["待执行：{tasks}", "due: {tasks}"],
  "st_pending_advices": ["待送达通知", "Pending advices"],
  "trace.archive": ["已结算批次存入归档（供对账、重打印）", "settled batch archived (for reconciliation and reprint)"],
  "trace.persist_failed": ["流水写入失败：{reason}", "journal write failed: {reason}"],
  "trace.operator": ["操作员：{what}", "operator: {what}"],
  "trace.card_verdict": ["卡片第二次 GENERATE AC：批准（TC）", "card, second GENERATE AC: approve (TC)"],
  "trace.outcome": ["结果：{txn} {stan} {result}", "outcome: {txn} {stan} {result}"],
  "trace.bank_dropped": ["银行：应答被丢弃（故障 drop-reply）", "bank: reply dropped (fault drop-reply)"],
  "trace.bank_delayed": ["银行：应答延迟到超时之后（delay-reply）", "bank: reply held back until after the timeout (delay-reply)"],
  "trace.bank_late": ["银行：迟到的应答现在发出", "bank: the late reply goes out now"],
  "trace.bank_closed": ["银行：关闭连接", "bank: connection closed"],
  "trace.bank_fault": ["银行：故障 {fault} 作用于本次应答", "bank: fault {fault} applied to this reply"],
  "trace.bank_no_answer": ["银行：无法解码，不应答", "bank: undecodable frame, no answer"],
  "trace.fault_armed": ["故障开关：{fault}", "fault armed: {fault}"],
  "trace.faults_cleared": ["故障已清除", "faults cleared"],
  "trace.net_down": ["网络断开", "network down"],
  "trace.net_up": ["网络恢复", "network up"],
  "trace.net_refused": ["网络断开：{mti} 无法发出（未发送）", "network down: {mti} could not leave (nothing sent)"],
  "trace.conn_closed": ["连接已关闭（无应答）", "connection closed (no reply)"],
  "trace.garbage": ["无法解码的应答", "undecodable reply"],
  "trace.reversal_of": ["（凭证号 {stan}，第 {attempt} 次）", "(STAN {stan}, attempt {attempt})"],
  "trace.event_unknown": ["结果未知：{txn} 凭证号 {stan}，原因 {reason}，将冲正", "outcome unknown: {txn} STAN {stan}, reason {reason}; reversal follows"],
  "trace.event_refund_pending": ["退货待重发：凭证号 {stan}", "refund pending: STAN {stan}, will be resent"],
  "trace.event_advice_pending": ["{txn}待重发：凭证号 {stan}", "{txn} pending: STAN {stan}, will be resent"],
  "trace.event_advice_answered": ["{txn}已送达：凭证号 {stan}", "{txn} answered: STAN {stan}"],
  "trace.event_advice_refused": ["{txn}被拒绝（{code}）：凭证号 {stan}，请联系收单机构", "{txn} refused ({code}): STAN {stan}; contact the acquirer"],
  "trace.event_sign_on_required": ["收单机构要求重新签到", "the acquirer asks for a new sign-on"],
  "trace.event_ignored": ["应答被忽略：{reason}", "reply ignored: {reason}"],
  "trace.event_verdict": ["请卡片确认（第二次 GENERATE AC）", "asking the card (second GENERATE AC)"],
  "trace.event_settlement": ["结算步骤：{phase}", "settlement step: {phase}"],
  "trace.event_sending": ["发送 {txn}，凭证号 {stan}", "sending {txn}, STAN {stan}"],
  "trace.event_reversal_sent": ["冲正 凭证号 {stan}，第 {attempt} 次", "reversal STAN {stan}, attempt {attempt}"],
  "trace.event_not_sent": ["凭证号 {stan} 未发出：{cause}", "STAN {stan} never left: {cause}"],
  "trace.event_journal_failed": ["流水写入失败：{reason}", "journal write failed: {reason}"],
  "trace.event": ["事件：{json}", "event: {json}"],
  frame_mti: ["消息类型", "MTI"],
  frame_tpdu: ["TPDU", "TPDU"],
  frame_header: ["报文头状态/要求", "Header status/requirement"],
  frame_field: ["域", "Field"],
  frame_name: ["名称", "Name"],
  frame_value: ["值", "Value"],
  frame_bytes: ["{n} 字节", "{n} bytes"],

  // Status and journal
  status_title: ["终端状态", "Terminal status"],
  st_signed_on: ["签到", "Signed on"],
  st_batch: ["批次号", "Batch"],
  st_stan: ["最近流水号", "Last STAN"],
  st_busy: ["交易进行中", "Busy"],
  st_in_flight: ["等待中", "In flight"],
  "waiting.acquirer": ["等待收单机构应答", "waiting for the acquirer"],
  "waiting.card": ["等待卡片确认", "waiting for the card's verdict"],
  "waiting.card_entry": ["等待刷卡/插卡/挥卡", "waiting for the card"],
  "waiting.pin": ["等待输入密码", "waiting for the PIN"],
  st_pending_reversal: ["待冲正", "Pending reversal"],
  st_exceptions: ["冲正异常", "Exceptions"],
  st_pending_refunds: ["待重发退货", "Pending refunds"],
  st_settlement: ["结算进行中", "Settlement in progress"],
  st_approved: ["成功交易", "Approved"],
  st_debit: ["借记合计", "Debit total"],
  st_credit: ["贷记合计", "Credit total"],
  st_preauths: ["未完成预授权", "Open pre-auths"],
  st_ack: ["确认", "Acknowledge"],
  st_count_amount: ["{n} 笔 {amount}", "{n} · {amount}"],
  journal_title: ["终端流水（IndexedDB）", "Terminal journal (IndexedDB)"],
  journal_summary: ["{n} 条记录，{bytes} 字节", "{n} records, {bytes} bytes"],
  journal_help: ["刷新页面 = 断电：终端仅凭这些记录恢复", "Reloading the page is a power cut: the terminal is rebuilt from these records alone"],
  other_tab: ["此终端已在另一个标签页中打开", "This terminal is open in another tab"],
  other_tab_help: ["一个终端同一时间只能有一个写入者：请使用那个标签页，或将其关闭后刷新本页", "A terminal has one writer at a time: use that tab, or close it and reload this one"],
  journal_refused: ["流水被拒绝，未发送任何交易", "Journal refused: nothing was sent"],
  journal_old_format_help: ["此流水由旧版本写入，本版本不读取：请先用旧版本结算，或点击「全部重置」开始新终端（旧交易请与收单机构核对）", "This journal was written by an earlier version, whose records this version does not read. Settle with that version, or press \u201cReset everything\u201d to start a new terminal (check the old transactions with the acquirer)"],
  journal_refused_help: ["流水比曾经保存的短、丢失或属于另一终端号。可恢复原流水，或点击「全部重置」开始新终端（旧交易请与收单机构核对）", "The journal is shorter than what was saved, missing, or another terminal id's. Restore it, or press \u201cReset everything\u201d to start a new terminal (check the old transactions with the acquirer)"],

  // Slips
  slip_title: ["POS 签购单", "POS SALES SLIP"],
  slip_copy: ["商户存根", "MERCHANT COPY"],
  slip_merchant_name: ["商户名称", "MERCHANT NAME"],
  slip_merchant_id: ["商户编号", "MERCHANT NO."],
  slip_terminal_id: ["终端编号", "TERMINAL NO."],
  slip_card: ["卡号", "CARD NO."],
  slip_type: ["交易类型", "TRANS TYPE"],
  slip_batch: ["批次号", "BATCH NO."],
  slip_stan: ["凭证号", "VOUCHER NO."],
  slip_rrn: ["参考号", "REF. NO."],
  slip_auth: ["授权码", "AUTH NO."],
  slip_datetime: ["日期/时间", "DATE/TIME"],
  slip_amount: ["金额", "AMOUNT"],
  slip_sign: ["持卡人签名", "CARDHOLDER SIGNATURE"],
  slip_confirm: ["本人确认以上交易，同意将其记入本卡账户", "I acknowledge the above transaction"],
  settle_title: ["结算单", "SETTLEMENT REPORT"],
  settle_domestic: ["内卡", "DOMESTIC"],
  settle_foreign: ["外卡", "FOREIGN"],
  settle_debit: ["借记", "DEBIT"],
  settle_credit: ["贷记", "CREDIT"],
  settle_count: ["笔数", "COUNT"],
  settle_by_type: ["按交易类型", "BY TYPE"],
  settle_result: ["对账结果", "RESULT"],
  settle_uploaded: ["上送笔数", "UPLOADED"],
  settle_tc: ["上送TC", "TC UPLOADS"],
  settle_ic_failures: ["上送IC失败", "IC FAILURE UPLOADS"],
  settle_exceptions: ["未结异常", "OPEN EXCEPTIONS"],
  "verdict.balanced": ["平账", "balanced"],
  "verdict.unbalanced": ["不平账", "unbalanced"],
  "verdict.error": ["对账出错", "error"],
};

const KEY = "pos.lang";
let current = initial();
const listeners = new Set();

function initial() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl === "zh" || fromUrl === "en") return fromUrl;
  const saved = localStorage.getItem(KEY);
  return saved === "en" ? "en" : "zh";
}

export function lang() {
  return current;
}

export function setLang(next) {
  current = next === "en" ? "en" : "zh";
  localStorage.setItem(KEY, current);
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  applyI18n(document);
  for (const fn of listeners) fn(current);
}

export function onLang(fn) {
  listeners.add(fn);
}

/** The text of `key` in the current (or given) language; unknown keys show as themselves. */
export function t(key, params = {}, language = current) {
  const entry = DICT[key];
  const text = entry ? entry[language === "zh" ? 0 : 1] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`));
}

export function has(key) {
  return key in DICT;
}

// Every transaction kind as the kernel defines it (transactionKinds(), kernel/src/engine/kinds.rs):
// names, and whether the slip prints the amount as given back. main.mjs hands the table over once
// the kernel module is loaded.
const KINDS = new Map();

/** Takes the kernel's table of transaction kinds. */
export function setKinds(table) {
  for (const info of table) KINDS.set(info.kind, info);
}

/** The kernel's row for a kind (sale, pre_auth, …), or undefined. */
export function kindInfo(kind) {
  return KINDS.get(kind);
}

/** A transaction kind's name (sale, pre_auth, …), or a menu entry's; unknown kinds show as given. */
export function txnName(kind, language = current) {
  const info = KINDS.get(kind);
  // The kernel's English names are the receipt's capitals ("PRE-AUTH CANCEL"): shown in sentence case.
  if (info) return language === "zh" ? info.zh : info.en.charAt(0) + info.en.slice(1).toLowerCase();
  return has(`txn.${kind}`) ? t(`txn.${kind}`, {}, language) : String(kind);
}

/** One language of a kernel text {zh, en}. */
export function pick(text, language = current) {
  return text?.[language] ?? "";
}

/** The other language of a kernel text, shown smaller. */
export function other(text) {
  return pick(text, current === "zh" ? "en" : "zh");
}

export function applyI18n(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}
