use crate::helpers::Sandbox;
use testkit::{Backend, backends};

#[tokio::test]
async fn serve_answers_healthz_creates_the_first_admin_once_and_says_the_bot_is_off() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let server = sb.serve(&[]).await;
        let health: serde_json::Value =
            reqwest::get(format!("{}/healthz", server.base)).await.unwrap().json().await.unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["database"], "ok");
        assert_eq!(health["backend"], backend.to_string());
        let (stdout, stderr) = server.stop();
        assert!(stdout.contains("Одноразовый пароль"), "{backend}: first admin not announced: {stdout}");
        assert!(stderr.contains("Telegram bot is off") && stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
        if backend == Backend::Sqlite {
            let key = sb.data_dir().join("master.key");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
            }
            assert!(stderr.contains("master.key"), "the key file's path is logged");
        }

        // A second start finds the admin and prints no password.
        let server = sb.serve(&[]).await;
        let (stdout, _) = server.stop();
        assert!(!stdout.contains("Одноразовый пароль"), "{backend}: {stdout}");
    }
}

/// Each of the process's threads: its name and the cores it may run on (`Cpus_allowed_list`).
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        let cores = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).unwrap_or_default();
        out.push((comm.trim().to_owned(), cores.trim().to_owned()));
    }
    out
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_answering_threads_share_one_core_and_heavy_work_keeps_them_all() {
    let given = std::fs::read_to_string("/proc/self/status").unwrap();
    let given = given.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).unwrap().trim().to_owned();
    if !given.contains([',', '-']) {
        eprintln!("one core only ({given}): nothing to pin");
        return;
    }
    let sb = Sandbox::new(Backend::Sqlite).await;
    // A new database: the first admin's password is hashed at start, on the blocking pool,
    // whose idle thread lives on for ten seconds.
    let server = sb.serve(&[]).await;
    let all = threads(server.child.id());
    let main = &all.iter().find(|(name, _)| name == "tourcrm").expect("the main thread").1;
    assert!(!main.contains([',', '-']), "the main thread on one core: {all:?}");
    let sqlite: Vec<_> = all.iter().filter(|(name, _)| name.starts_with("sqlx-sqlite")).collect();
    assert!(!sqlite.is_empty() && sqlite.iter().all(|(_, c)| c == main), "SQLite's threads on {main}: {all:?}");
    let tokio: Vec<_> = all.iter().filter(|(name, _)| name.starts_with("tokio-")).collect();
    assert!(tokio.iter().any(|(_, c)| c == main), "the async worker on {main}: {all:?}");
    assert!(tokio.iter().any(|(_, c)| *c == given), "the blocking pool on every core ({given}): {all:?}");
    let (_, stderr) = server.stop();
    assert!(stderr.contains("on one core"), "{stderr}");

    let server = sb.serve(&[("TOURCRM_CORE", "off")]).await;
    let all = threads(server.child.id());
    assert!(all.iter().all(|(_, c)| *c == given), "off: every thread on {given}: {all:?}");
}
