//! The terminal's keys in its PKCS#11 token (SoftHSM2), as an integrator sets a terminal up by
//! hand: `posterm init --softhsm`, `posterm keys load-tmk`, and the mistakes on the way (no TMK
//! yet, a TMK loaded twice, a clear TMK left in config.toml, a PIN file others can read, a token
//! store damaged by a process killed while logging in).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use pos_host::token::TEST_TMK_COMPONENTS;

fn posterm(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_posterm"))
        .arg("--dir")
        .arg(dir)
        .arg("--component")
        .arg(common::component_path())
        .args(args)
        .env_remove("POSTERM_TOKEN_PIN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("posterm-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = posterm(&dir, &["init", "--softhsm", "--acquirer", "127.0.0.1:9"]);
    assert_eq!(code, 0, "{out}{err}");
    dir
}

fn components_file(dir: &Path) -> PathBuf {
    let file = dir.with_extension("components");
    std::fs::write(&file, TEST_TMK_COMPONENTS.join("\n")).unwrap();
    file
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_terminal_is_set_up_with_its_tmk_in_the_token_and_nothing_secret_in_a_file() {
    let dir = fresh("setup");
    assert_eq!(mode(&dir), 0o700, "the terminal directory is its owner's only");
    assert_eq!(mode(&dir.join("config.toml")), 0o600);
    assert_eq!(mode(&dir.join("token-pin")), 0o600);
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(!config.contains("tmk ="), "{config}");

    // Before the TMK is loaded: the status says so, and a transaction says what to do.
    let (code, out, _) = posterm(&dir, &["keys", "status"]);
    assert_eq!(code, 0);
    assert!(out.contains("NOT loaded: posterm keys load-tmk"), "{out}");
    let (code, _, err) = posterm(&dir, &["sign-on"]);
    assert_eq!(code, 6, "{err}");
    assert!(
        err.contains("holds no terminal master key") && err.contains("posterm keys load-tmk"),
        "{err}"
    );

    // The custodians' components: each check value, and the TMK's (the test TMK's is 08D7B4FB).
    let components = components_file(&dir);
    let (code, out, err) = posterm(&dir, &["keys", "load-tmk", "--from-file", components.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("component 1: check value") && out.contains("component 2: check value"),
        "{out}"
    );
    assert!(out.contains("check value 08D7B4FB"), "{out}");
    let (code, _, err) = posterm(&dir, &["keys", "load-tmk", "--from-file", components.to_str().unwrap()]);
    assert_eq!(code, 6);
    assert!(
        err.contains("already holds a key") && err.contains("--replace"),
        "{err}"
    );
    std::fs::remove_file(&components).unwrap();

    // Typed components that are not keys are refused, naming which one.
    let typed = Command::new(env!("CARGO_BIN_EXE_posterm"))
        .arg("--dir")
        .arg(&dir)
        .args(["keys", "load-tmk", "--replace"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = typed.stdin.as_ref().unwrap();
        writeln!(stdin, "{}", TEST_TMK_COMPONENTS[0]).unwrap();
        writeln!(stdin, "0123").unwrap();
    }
    let output = typed.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(6));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("component 2: a TMK component is 32 hex digits"), "{err}");

    // No file in the directory holds the TMK or a component, in hex of either case.
    let secrets: Vec<String> = TEST_TMK_COMPONENTS
        .iter()
        .map(|c| c.replace(' ', ""))
        .chain(["0123456789ABCDEFFEDCBA9876543210".to_owned()])
        .collect();
    for file in walk(&dir) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_uppercase();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{} holds a key in hex", file.display());
            let raw: Vec<u8> = (0..16)
                .map(|i| u8::from_str_radix(&secret[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert!(
                !bytes.windows(16).any(|w| w == raw.as_slice()),
                "{} holds a key in binary",
                file.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_clear_tmk_in_config_or_a_readable_pin_file_is_refused_with_what_to_do() {
    let dir = fresh("refused");
    let config = dir.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("[host]\n", "[host]\ntmk = \"0123456789ABCDEFFEDCBA9876543210\"\n"),
    )
    .unwrap();
    let (code, _, err) = posterm(&dir, &["status"]);
    assert_eq!(code, 6);
    assert!(
        err.contains("host.tmk holds the terminal master key in clear") && err.contains("keys load-tmk"),
        "{err}"
    );
    std::fs::write(&config, text).unwrap();

    std::fs::set_permissions(dir.join("token-pin"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = posterm(&dir, &["keys", "status"]);
    assert_eq!(code, 6);
    assert!(err.contains("readable by others") && err.contains("chmod 600"), "{err}");
}

#[test]
fn a_token_store_cut_short_by_a_killed_login_is_put_back() {
    let dir = fresh("killed");
    let components = components_file(&dir);
    assert_eq!(
        posterm(&dir, &["keys", "load-tmk", "--from-file", components.to_str().unwrap()]).0,
        0
    );
    std::fs::remove_file(&components).unwrap();
    // What SoftHSM 2.6 leaves when a process dies between truncating token.object and writing it.
    let tokens = dir.join("softhsm").join("tokens");
    let token = std::fs::read_dir(&tokens).unwrap().next().unwrap().unwrap().path();
    std::fs::write(token.join("token.object"), b"").unwrap();
    let (code, out, err) = posterm(&dir, &["keys", "status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("`posterm-tmk` loaded"), "{out}");
    assert!(err.contains("put back from the copy"), "{err}");
}
