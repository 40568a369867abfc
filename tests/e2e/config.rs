use crate::helpers::{Sandbox, text};
use testkit::Backend;

#[tokio::test]
async fn a_bad_setting_stops_the_start_with_exit_code_2_and_one_line_naming_it() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let secret_key = "dGhpcy1pcy1ub3QtMzItYnl0ZXM=";
    let cases = [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("TOURCRM_HTTP_ADDR", "localhost"),
        ("TOURCRM_MASTER_KEY", secret_key),
        ("TELOXIDE_TOKEN", "not-a-token"),
        ("TOURCRM_REDIS_URL", "127.0.0.1:6379"),
        ("TOURCRM_CORE", "first"),
        // A core this machine does not have: refused before anything starts.
        ("TOURCRM_CORE", "1023"),
    ];
    for (var, value) in cases {
        let out = sb.run(&["serve"], &[(var, value)]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{var}: one line expected, got {stderr}");
        assert!(lines[0].contains(var), "{var} not named: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
        assert!(!stderr.contains(secret_key), "secret printed: {stderr}");
    }
    assert!(!sb.data_dir().join("tourcrm.db").exists(), "a bad configuration must change nothing");
}

#[tokio::test]
async fn a_broken_config_file_is_named() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    std::fs::write(sb.dir.path().join("tourcrm.toml"), "http_addr = [\n").unwrap();
    let out = sb.run(&["migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("TOURCRM_CONFIG"), "{}", text(&out.stderr));
}
