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
