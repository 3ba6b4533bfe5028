//! TypeScript declarations for the `.d.ts`. The kernel's types (inputs, outputs, outcomes,
//! status, journal records, ...) are generated from their Rust definitions by tsify (the
//! kernel's `ts` feature), so they are never written twice; only what this binding adds is
//! declared here. `web/types/check.ts` uses them all under `tsc --strict` (scripts/test-web.sh).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Bytes as a lowercase (or uppercase) hex string. */
export type Hex = string;

/** What `Terminal.create` and `restore` take: any part of a `Config`; the rest is the default
 * (the test terminal). An unknown key is an error. */
export type TerminalConfig = Partial<Omit<Config, "tpdu">> & { tpdu?: Tpdu };
"#;
