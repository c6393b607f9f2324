//! The `recon` binary end to end: the canonical JSON contract, exit codes, messages on stderr,
//! duplicates and integrity findings, generation and matching on generated data.

use std::path::PathBuf;
use std::process::Command;

fn recon() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recon"))
}

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(path)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("recon-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn convert_prints_the_canonical_json_contract() {
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(shared("mt940/mt940-rs/mt940/full/jejik/ing.sta"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statement = &doc["statements"][0];
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(statement),
        [
            "account",
            "closing_balance",
            "currency",
            "encoding",
            "format",
            "lines",
            "opening_balance",
            "sequence",
            "source",
            "statement_id"
        ]
    );
    assert_eq!(
        keys(&statement["lines"][0]),
        [
            "amount",
            "bank_reference",
            "booking_date",
            "counterparty",
            "currency",
            "description",
            "line_id",
            "reference",
            "type_code",
            "value_date"
        ]
    );
    assert_eq!(statement["format"], "mt940");
    assert_eq!(statement["encoding"], "UTF-8");
    assert_eq!(statement["account"], "0001234567");
    assert_eq!(statement["opening_balance"]["amount"], "0.00");
    assert_eq!(statement["opening_balance"]["date"], "2010-07-22");
    assert_eq!(statement["lines"][0]["amount"], "-25.03");
    assert_eq!(statement["lines"][0]["value_date"], "2010-07-22");
    assert!(doc["issues"].is_array());
}

#[test]
fn a_rejected_file_exits_1_and_names_file_line_reason_and_excerpt() {
    let dir = temp_dir("rejected");
    let bad = dir.join("bad.sta");
    std::fs::write(&bad, ":20:X\n:25:NL01\n:28C:1\n:60F:C240101EUR1,00\n:61:2401010101C12X,00NTRFNONREF\n:62F:C240101EUR1,00\n-\n").unwrap();
    let good = shared("mt940/mt940-rs/mt940/full/jejik/ing.sta");
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.sta: line 5"), "{stderr}");
    assert!(
        stderr.contains(":61:2401010101C12X,00NTRFNONREF"),
        "{stderr}"
    );
    // The good file is still converted; the bad one contributes nothing.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["statements"].as_array().unwrap().len(), 1);
    assert_eq!(doc["issues"][0]["severity"], "error");
    assert_eq!(doc["issues"][0]["line"], 5);
}

#[test]
fn the_same_file_twice_is_imported_once() {
    let file = shared("bai2/moov-io/sample1.txt");
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(&file)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let once = recon()
        .args(["convert", "--to", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let once: serde_json::Value = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(doc["statements"], once["statements"]);
    let messages: Vec<String> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"].to_string())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("duplicate file")),
        "{messages:?}"
    );
}

#[test]
fn an_unbalanced_statement_is_reported_not_fixed() {
    let dir = temp_dir("unbalanced");
    let file = dir.join("off.sta");
    std::fs::write(&file, ":20:X\n:25:NL01\n:28C:7\n:60F:C240101EUR100,00\n:61:240102C10,00NTRFNONREF\n:62F:C240102EUR111,00\n-\n").unwrap();
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["statements"][0]["closing_balance"]["amount"], "111.00");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("difference 1.00 EUR"), "{stderr}");
}

#[test]
fn convert_to_csv_round_trips_through_the_canonical_profile() {
    let dir = temp_dir("csv");
    let out = recon()
        .args(["convert", "--to", "csv"])
        .arg(shared("camt/genkgo/camt053.v2.multi.statement.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = dir.join("lines.csv");
    std::fs::write(&csv, &out.stdout).unwrap();
    let back = recon()
        .args(["convert", "--to", "csv"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&back.stdout),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn doctype_is_refused() {
    let dir = temp_dir("xxe");
    let file = dir.join("xxe.xml");
    std::fs::write(&file, "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>\n").unwrap();
    let out = recon()
        .args(["convert", "--format", "camt.053"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DOCTYPE"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("root:"));
}

#[test]
fn gen_match_and_eval_work_together_and_are_deterministic() {
    let dir = temp_dir("match");
    let generated = recon()
        .args(["gen", "--bank-lines", "5000", "--seed", "3", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let run = |out: &str| {
        let o = recon()
            .args(["match", "--bank"])
            .arg(dir.join("bank.csv"))
            .arg("--ledger")
            .arg(dir.join("ledger.csv"))
            .arg("--out")
            .arg(dir.join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(dir.join(out).join("matches.csv")).unwrap()
    };
    let first = run("a");
    let second = run("b");
    assert_eq!(first, second);
    let header = String::from_utf8_lossy(&first[..first.iter().position(|&b| b == b'\n').unwrap()])
        .into_owned();
    assert_eq!(header, "match_id,rule,status,side,item_id,amount");
    let exceptions = std::fs::read_to_string(dir.join("a/exceptions.csv")).unwrap();
    assert!(exceptions.starts_with("side,item_id,amount,reason\n"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("a/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["bank_lines"], 5000);
    let eval = recon()
        .args(["eval", "--truth"])
        .arg(dir.join("truth.csv"))
        .arg("--matches")
        .arg(dir.join("a"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&eval.stdout);
    assert!(text.contains("precision of auto-confirmed pairs"), "{text}");
}

#[test]
fn demo_runs_on_the_bundled_samples() {
    let packs = std::env::temp_dir().join(format!("recon-demo-packs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&packs);
    let out = recon()
        .arg("demo")
        .arg("--out")
        .arg(&packs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("demo-2026-11-a.camt053.xml"), "{text}");
    assert!(text.contains("partial_payments"), "{text}");
    for ext in ["pdf", "xlsx", "csv"] {
        let pack = packs.join(format!("signoff-pack.{ext}"));
        let len = std::fs::metadata(&pack).map(|m| m.len()).unwrap_or(0);
        assert!(
            len > 1000,
            "{} missing or tiny ({len} bytes)\n{text}",
            pack.display()
        );
    }
    let _ = std::fs::remove_dir_all(&packs);
}

/// Issue 15: a file that deviates from its format is read, each deviation a warning with its
/// code under `issues` and on stderr; `--strict` refuses it as before. Daily files of one
/// account are checked as a series (here a missing weekday).
#[test]
fn deviations_are_warnings_and_strict_refuses_them() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/deviations/mt940/february_30.sta");
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("february_30.sta: line 5: :61: value date \"160230\" is past the month's end; read as 2016-02-29 (the month's last day) [mt940.date_past_month_end] | :61:1602300301DR6,00N024NONREF"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect();
    assert!(codes.contains(&"mt940.date_past_month_end"), "{codes:?}");
    assert_eq!(doc["statements"][0]["lines"][0]["value_date"], "2016-02-29");
    let out = recon()
        .args(["convert", "--strict", "--to", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("day 30 does not exist in 2016-02"));

    let dir = temp_dir("series");
    let day = |n: u32, open: &str, close: &str, amount: &str| {
        format!(
            ":20:S{n}\n:25:NL91ABNA0417164300\n:28C:{n}\n:60F:C24010{}EUR{open}\n:61:24010{n}{amount}NTRFREF\n:62F:C24010{n}EUR{close}\n-\n",
            n - 1
        )
    };
    let thu = dir.join("thu.sta");
    let mon = dir.join("mon.sta");
    std::fs::write(&thu, day(4, "100,00", "110,00", "C10,00")).unwrap();
    std::fs::write(&mon, day(8, "110,00", "105,00", "D5,00")).unwrap();
    let out = recon()
        .args(["convert", "--to", "json"])
        .arg(&mon)
        .arg(&thu)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gaps: Vec<&str> = doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "series.gap")
        .map(|i| i["message"].as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 1, "{doc}");
    assert!(gaps[0].contains("no statement for 3 day(s) from 2024-01-05 to 2024-01-07"));
}

/// Issue 19: a sign-off pack is a document of record, so its write is durable: the complete file
/// is synced, renamed over the target, and then its folder is synced (on POSIX a rename is on disk
/// only once the folder's entry is). Watched with strace on the real `recon demo`, which writes
/// the demo reconciliation's packs.
#[test]
fn a_sign_off_pack_is_synced_renamed_and_its_folder_synced() {
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is required (scripts/setup.sh installs it)"
    );
    let packs = std::env::temp_dir().join(format!("recon-durable-packs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&packs);
    std::fs::create_dir_all(&packs).unwrap();
    let log = packs.with_extension("strace");
    let out = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=openat,rename,renameat,renameat2,fsync,fdatasync",
            "-o",
        ])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_recon"))
        .arg("demo")
        .arg("--out")
        .arg(&packs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let folder = packs.display().to_string();
    let target = packs.join("signoff-pack.pdf").display().to_string();
    let lines: Vec<&str> = trace.lines().collect();
    // The rename of the temporary over signoff-pack.pdf...
    let renamed = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(&format!("\"{target}\"")))
        .unwrap_or_else(|| panic!("no rename onto {target} in the trace:\n{trace}"));
    // ...was preceded by an fsync (of the file), and is followed by opening the folder and
    // syncing that descriptor.
    assert!(
        lines[..renamed].iter().any(|l| l.contains("fsync(")),
        "the file was not synced before the rename:\n{trace}"
    );
    let opened = lines[renamed..]
        .iter()
        .filter(|l| l.contains("openat(") && l.contains(&format!("\"{folder}\"")))
        .find_map(|l| l.rsplit(" = ").next()?.trim().parse::<i32>().ok())
        .unwrap_or_else(|| panic!("the folder {folder} was not opened after the rename:\n{trace}"));
    assert!(
        lines[renamed..]
            .iter()
            .any(|l| l.contains(&format!("fsync({opened})"))),
        "the folder's descriptor {opened} was not synced after the rename:\n{trace}"
    );
    let _ = std::fs::remove_dir_all(&packs);
}

/// Issue 19: every enumerated option lists its values in --help, and a wrong value is refused
/// with the list, before anything is opened.
#[test]
fn enumerated_options_list_their_values_and_refuse_others() {
    let help = recon()
        .args(["ws", "exceptions", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[possible values: bank, ledger]"), "{help}");
    assert!(help.contains("no_candidate"), "{help}");
    assert!(help.contains("amount-desc"), "{help}");
    let help = recon().args(["ws", "accept", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("bank_charge, fx_difference, rounding, timing, write_off"),
        "{help}"
    );
    let out = recon()
        .args([
            "ws",
            "exceptions",
            "--ws",
            "/nonexistent",
            "--sort",
            "biggest",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'biggest'") && err.contains("amount-desc"),
        "{err}"
    );
    // One name for the workspace flag everywhere: --ws (export's --workspace stays an alias).
    let help = recon()
        .args(["export", "signoff", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--ws <WS>"), "{help}");
    for args in [["ws", "exceptions"], ["audit", "verify"]] {
        let help = recon().args(args).arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(help.contains("--ws <WS>"), "{args:?}: {help}");
    }
}

/// Issue 19: shell completions, generated from the same command definitions.
#[test]
fn completions_for_bash_are_a_valid_script_that_knows_the_commands() {
    let out = recon().args(["completions", "bash"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = String::from_utf8(out.stdout).unwrap();
    for word in ["_recon()", "inbox", "signoff", "exceptions", "--ws"] {
        assert!(script.contains(word), "no {word} in the bash completions");
    }
    let path = std::env::temp_dir().join(format!("recon-completions-{}.bash", std::process::id()));
    std::fs::write(&path, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let bad = recon().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Issue 19: `--quiet` leaves progress and informational lines out of stderr, nothing else.
#[test]
fn quiet_leaves_out_informational_lines() {
    let out_dir = temp_dir("quiet");
    let loud = recon()
        .args(["gen", "--bank-lines", "20", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(loud.status.success());
    assert!(String::from_utf8_lossy(&loud.stderr).contains("wrote 20 bank lines"));
    let quiet = recon()
        .args(["--quiet", "gen", "--bank-lines", "20", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert!(out_dir.join("bank.csv").exists());
    // Errors still say what and where.
    let bad = recon()
        .args(["-q", "convert", "/nonexistent/statement.sta"])
        .output()
        .unwrap();
    assert_ne!(bad.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/statement.sta"));
    let _ = std::fs::remove_dir_all(&out_dir);
}
