//! TypeScript declarations of the values that cross the boundary: the kernel's serde shapes.
//! wasm-bindgen writes this section into the generated `.d.ts` verbatim.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Milliseconds since the Unix epoch, UTC. */
export type Timestamp = number;
/** Bytes as a lowercase hex string. */
export type Hex = string;
export type EntryMode = "manual" | "magstripe" | "chip" | "contactless";

/** Terminal configuration; every field is optional (defaults: the test terminal of PROFILE.md §6). */
export interface TerminalConfig {
  terminal_id?: string; merchant_id?: string; merchant_name?: string;
  tpdu?: { destination: number; source: number };
  header_status?: number; currency?: string; operator?: string; terminal_capability?: number;
  utc_offset_minutes?: number; response_timeout_ms?: number; reversal_retry_interval_ms?: number;
  reversal_max_attempts?: number; max_amount?: number; refund_limit?: number;
  initial_stan?: number; initial_batch?: number; domestic_prefixes?: string[];
}

/** Card data as read. Track data and the PIN never reach the journal. */
export interface Card {
  pan: string; entry: EntryMode; expiry?: string | null; track2?: string | null; track3?: string | null;
  sequence?: string | null; icc_data?: Hex | null; pin?: string | null; fallback?: boolean;
}

export type Command =
  | "sign_on" | "sign_off" | "echo" | "settle"
  | { sale: { amount: number; card: Card } }
  | { balance: { card: Card } }
  | { void: { original_stan: number; card?: Card | null } }
  | { refund: { amount: number; card: Card; original_rrn: string; original_date: string } }
  | { pre_auth: { amount: number; card: Card } }
  | { pre_auth_cancel: { original_stan: number; card: Card } }
  | { completion: { original_stan: number; amount: number; card: Card } }
  | { completion_void: { original_stan: number; card?: Card | null } }
  | { acknowledge_exception: { stan: number } };

export type Input =
  | { command: Command }
  | { receive: Hex }
  | { timer: "response" | "retry" }
  | { card_verdict: { approved: boolean; icc_data: Hex } }
  | "persisted"
  | { persist_failed: string }
  | "connection_closed";

/** One output; carry them out in order. A persist or compact must be durable before anything after it. */
export type Output =
  | { persist: Hex }
  | { compact: Hex }
  | { transmit: Hex }
  | { arm_timer: { timer: "response" | "retry"; at: Timestamp } }
  | { cancel_timer: "response" | "retry" }
  | { event: any }
  | { outcome: Outcome };

export interface Text { zh: string; en: string }
export interface Outcome {
  transaction: string;
  stan: number | null;
  result:
    | "approved"
    | { declined: { response_code: string } }
    | { failed: { reason: string | Record<string, any> } }
    | { reversed: { reason: "98" | "A0" | "06" } }
    | { reversal_failed: { reason: "98" | "A0" | "06" } };
  guidance: { category: string; cardholder: Text; merchant: Text };
  receipt: any | null;
  balance?: string | null;
  settlement?: any | null;
}

export type Query = { stan: number } | { rrn: string };

/** What the acquirer does with a frame: reply now, reply after the terminal's timeout, or close. */
export type AcquirerOutput = { reply: Hex } | { late_reply: Hex } | "close";

export interface FrameView {
  mti: string; tpdu_destination: number; tpdu_source: number; header_status: number; header_requirement: number;
  fields: { number: number; name: string; value: string }[];
}
"#;
