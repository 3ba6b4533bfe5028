//! Codec throughput (issue 6 item 2): encode and decode of the sale request (0200) and its reply
//! (0210) taken from a test vector, in messages per second.
//!
//! Usage: `cargo run --release -p pos-kernel --example codec_bench -- [--json] [--vector PATH]
//! [--fields-out PATH] [--min-batch-ms N]`
//!
//! Method (shared with bench/codec/*.py and *.mjs): one operation is repeated in a batch of N,
//! N doubling from 1 until a batch takes at least `--min-batch-ms` (default 200; this also warms
//! up); then 5 batches of N are timed and the median rate is reported. "Body" is MTI + bitmap +
//! fields (what the other libraries are compared on); "frame" adds the length, TPDU and header.
//!
//! `--fields-out` writes the decoded fields (b fields as uppercase hex, the rest as text) and the
//! body bytes, which the other benchmarks use as their input and to check their bytes against.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)] // a benchmark tool: failing loudly on a bad vector or argument is what it should do

use std::hint::black_box;
use std::time::{Duration, Instant};

use pos_kernel::codec::{spec, FieldKind, Frame, Message};
use serde_json::{json, Map, Value};

const DEFAULT_VECTOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/sale-approved-chip.json");
const REPEATS: usize = 5;

struct Args {
    json: bool,
    vector: String,
    fields_out: Option<String>,
    min_batch: Duration,
}

fn parse_args() -> Args {
    let mut args = Args {
        json: false,
        vector: DEFAULT_VECTOR.to_owned(),
        fields_out: None,
        min_batch: Duration::from_millis(200),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => args.json = true,
            "--vector" => args.vector = it.next().expect("--vector PATH"),
            "--fields-out" => args.fields_out = Some(it.next().expect("--fields-out PATH")),
            "--min-batch-ms" => {
                let ms = it.next().expect("--min-batch-ms N").parse().expect("a number of ms");
                args.min_batch = Duration::from_millis(ms);
            }
            other => panic!("unknown argument {other:?} (see the comment at the top of codec_bench.rs)"),
        }
    }
    args
}

/// The sale's request frame (the `transmit` after the sale command) and its reply (the next
/// `receive` input), as bytes.
fn sale_frames(vector: &Value) -> (Vec<u8>, Vec<u8>) {
    let steps = vector["steps"].as_array().expect("vector has steps");
    let sale = steps
        .iter()
        .position(|s| s["input"]["command"].get("sale").is_some())
        .expect("vector has a sale command");
    let mut request = None;
    for step in &steps[sale..] {
        if request.is_none() {
            request = step["expect"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|e| e["transmit"].as_str());
        } else if let Some(reply) = step["input"]["receive"].as_str() {
            let request = hex::decode(request.unwrap_or_default()).expect("transmit is hex");
            return (request, hex::decode(reply).expect("receive is hex"));
        }
    }
    panic!("no transmit followed by a receive after the sale command");
}

/// The body (MTI..last field) of a frame: after the 2-byte length, 5-byte TPDU, 6-byte header.
fn body(frame: &[u8]) -> &[u8] {
    &frame[13..]
}

/// Fields in the neutral form the other benchmarks read: b as uppercase hex, the rest as text.
fn fields_json(message: &Message) -> Value {
    let fields: Map<String, Value> = message
        .fields()
        .map(|(n, v)| {
            let text = if spec(n).expect("decoded fields are defined").kind == FieldKind::Binary {
                hex::encode_upper(v)
            } else {
                String::from_utf8(v.to_vec()).expect("text fields are ASCII")
            };
            (n.to_string(), Value::String(text))
        })
        .collect();
    json!({ "mti": message.mti.digits(), "fields": fields })
}

/// Median messages per second of `op` (see the method at the top).
fn rate(min_batch: Duration, mut op: impl FnMut()) -> f64 {
    let mut n: u64 = 1;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            op();
        }
        if start.elapsed() >= min_batch {
            break;
        }
        n *= 2;
    }
    let mut rates: Vec<f64> = (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                op();
            }
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[REPEATS / 2]
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn main() {
    let mut args = parse_args();
    args.vector = std::fs::canonicalize(&args.vector)
        .map(|p| p.display().to_string())
        .unwrap_or(args.vector);
    let vector: Value =
        serde_json::from_str(&std::fs::read_to_string(&args.vector).expect("read the vector")).expect("vector is JSON");
    let (request_frame, reply_frame) = sale_frames(&vector);
    let (request_body, reply_body) = (body(&request_frame).to_vec(), body(&reply_frame).to_vec());

    let request = Message::decode(&request_body).expect("request body decodes");
    let reply = Message::decode(&reply_body).expect("reply body decodes");
    let request_f = Frame::decode(&request_frame).expect("request frame decodes");
    let reply_f = Frame::decode(&reply_frame).expect("reply frame decodes");
    // The messages we time must re-encode to the vector's exact bytes.
    let roundtrip = request.encode_to_vec().ok().as_deref() == Some(&request_body[..])
        && reply.encode_to_vec().ok().as_deref() == Some(&reply_body[..])
        && request_f.encode().ok().as_deref() == Some(&request_frame[..])
        && reply_f.encode().ok().as_deref() == Some(&reply_frame[..]);
    assert!(roundtrip, "decode-then-encode does not reproduce the vector's bytes");

    if let Some(path) = &args.fields_out {
        let out = json!({
            "vector": args.vector,
            "request": { "body_hex": hex::encode_upper(&request_body), "message": fields_json(&request) },
            "reply": { "body_hex": hex::encode_upper(&reply_body), "message": fields_json(&reply) },
        });
        std::fs::write(path, serde_json::to_string_pretty(&out).expect("serialize") + "\n").expect("write fields");
    }

    let m = args.min_batch;
    let results = [
        (
            "encode_request",
            rate(m, || drop(black_box(black_box(&request).encode_to_vec().unwrap()))),
        ),
        (
            "decode_request",
            rate(m, || {
                drop(black_box(Message::decode(black_box(&request_body)).unwrap()))
            }),
        ),
        (
            "encode_reply",
            rate(m, || drop(black_box(black_box(&reply).encode_to_vec().unwrap()))),
        ),
        (
            "decode_reply",
            rate(m, || drop(black_box(Message::decode(black_box(&reply_body)).unwrap()))),
        ),
        (
            "encode_request_frame",
            rate(m, || drop(black_box(black_box(&request_f).encode().unwrap()))),
        ),
        (
            "decode_request_frame",
            rate(m, || drop(black_box(Frame::decode(black_box(&request_frame)).unwrap()))),
        ),
        (
            "encode_reply_frame",
            rate(m, || drop(black_box(black_box(&reply_f).encode().unwrap()))),
        ),
        (
            "decode_reply_frame",
            rate(m, || drop(black_box(Frame::decode(black_box(&reply_frame)).unwrap()))),
        ),
    ];

    let field_list = |m: &Message| m.fields().map(|(n, _)| n.to_string()).collect::<Vec<_>>().join(" ");
    if args.json {
        let mut out = Map::new();
        for (name, value) in &results {
            out.insert((*name).to_owned(), json!(value.round() as u64));
        }
        out.insert("library".into(), json!("pos-kernel codec (Rust)"));
        out.insert("vector".into(), json!(args.vector));
        out.insert("request_body_bytes".into(), json!(request_body.len()));
        out.insert("reply_body_bytes".into(), json!(reply_body.len()));
        out.insert("request_fields".into(), json!(field_list(&request)));
        out.insert("reply_fields".into(), json!(field_list(&reply)));
        out.insert("roundtrip_identical".into(), json!(roundtrip));
        println!("{}", Value::Object(out));
    } else {
        println!("pos-kernel codec, vector {}", args.vector);
        println!(
            "request {} ({} body bytes): F{}",
            request.mti,
            request_body.len(),
            field_list(&request)
        );
        println!(
            "reply   {} ({} body bytes): F{}",
            reply.mti,
            reply_body.len(),
            field_list(&reply)
        );
        println!(
            "decode-then-encode reproduces the vector's bytes: {}",
            yes_no(roundtrip)
        );
        println!("{:<22} {:>14}", "operation", "msgs/s");
        for (name, value) in &results {
            println!("{name:<22} {value:>14.0}");
        }
    }
}
