use crate::helpers::{Sandbox, text};
use testkit::{Backend, backends};

#[tokio::test]
async fn help_lists_every_command() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let out = text(&sb.run(&["--help"], &[]).stdout);
    for cmd in ["serve", "migrate", "staff", "keys"] {
        assert!(out.contains(cmd), "{cmd} missing from --help: {out}");
    }
}

#[tokio::test]
async fn staff_add_prints_a_one_time_password_and_an_invite_link() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let out = sb.run(
            &["staff", "add", "--role", "agent", "--name", "Смирнова Анна", "--login", "anna"],
            &[("TOURCRM_BOT_USERNAME", "agency_test_bot")],
        );
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
        assert!(stdout.contains("anna"));
        let password_line = stdout.lines().find(|l| l.starts_with("Одноразовый пароль")).unwrap();
        assert_eq!(password_line.split_whitespace().last().unwrap().len(), 14);
        assert!(stdout.contains("https://t.me/agency_test_bot?start=staff_"), "{stdout}");

        let again = sb.run(&["staff", "add", "--role", "agent", "--name", "Другая Анна", "--login", "anna"], &[]);
        assert_eq!(again.status.code(), Some(2));
        assert!(text(&again.stderr).contains("логин"), "{}", text(&again.stderr));

        let bad_role = sb.run(&["staff", "add", "--role", "boss", "--name", "Иванов Иван", "--login", "ivan"], &[]);
        assert!(!bad_role.status.success());

        let list = text(&sb.run(&["staff", "list"], &[]).stdout);
        assert!(list.contains("Смирнова Анна") && list.contains("турагент"), "{list}");
    }
}

#[tokio::test]
async fn keys_rotate_and_migrate_run_on_a_new_database() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let m = sb.run(&["migrate"], &[]);
        assert!(m.status.success(), "{backend}: {}", text(&m.stderr));
        let r = sb.run(&["keys", "rotate"], &[]);
        assert!(r.status.success(), "{backend}: {}", text(&r.stderr));
        assert!(text(&r.stdout).contains("Новый ключ"));
    }
}

#[tokio::test]
async fn staff_invite_issues_a_new_link_and_refuses_an_unknown_login() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let bot = [("TOURCRM_BOT_USERNAME", "agency_test_bot")];
    let first =
        text(&sb.run(&["staff", "add", "--role", "agent", "--name", "Смирнова Анна", "--login", "anna"], &bot).stdout);
    let again = sb.run(&["staff", "invite", "--login", "anna"], &bot);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let link = |s: &str| s.lines().find(|l| l.contains("?start=staff_")).unwrap().to_owned();
    let new_link = link(&text(&again.stdout));
    assert_ne!(link(&first), new_link, "a fresh token");
    let unknown = sb.run(&["staff", "invite", "--login", "nobody"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("nobody"));
}

/// Posts the panel's sign-in form as a browser would (the form's nonce cookie and field).
async fn sign_in(http: &reqwest::Client, base: &str, login: &str, password: &str) -> reqwest::StatusCode {
    let form = http.get(format!("{base}/login")).send().await.unwrap();
    let nonce = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.strip_prefix("tourcrm_login="))
        .find_map(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    http.post(format!("{base}/login"))
        .header("cookie", format!("tourcrm_login={nonce}"))
        .form(&[("_csrf", nonce.as_str()), ("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn staff_unlock_lets_a_locked_out_admin_back_in() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let added = sb.run(&["staff", "add", "--role", "admin", "--name", "Смирнова Анна", "--login", "anna"], &[]);
        let added = text(&added.stdout);
        let password_line = added.lines().find(|l| l.starts_with("Одноразовый пароль")).unwrap();
        let password = password_line.split_whitespace().last().unwrap().to_owned();
        let server = sb.serve(&[]).await;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        // Anyone who knows the only admin's login can lock it.
        for _ in 0..4 {
            assert_eq!(sign_in(&http, &server.base, "anna", "угадываю").await, 401, "{backend}");
        }
        assert_eq!(sign_in(&http, &server.base, "anna", "угадываю").await, 429, "{backend}");
        assert_eq!(sign_in(&http, &server.base, "anna", &password).await, 429, "{backend}: locked");
        let list = text(&sb.run(&["staff", "list"], &[]).stdout);
        assert!(list.contains("вход заблокирован до"), "{backend}: {list}");

        let unlock = sb.run(&["staff", "unlock", "--login", " ANNA "], &[]);
        assert!(unlock.status.success(), "{backend}: {}", text(&unlock.stderr));
        assert!(text(&unlock.stdout).contains("разблокирован"), "{}", text(&unlock.stdout));
        assert_eq!(sign_in(&http, &server.base, "anna", &password).await, 303, "{backend}: signed in again");
        let again = sb.run(&["staff", "unlock", "--login", "anna"], &[]);
        assert!(text(&again.stdout).contains("не был заблокирован"), "{}", text(&again.stdout));
        let unknown = sb.run(&["staff", "unlock", "--login", "nobody"], &[]);
        assert_eq!(unknown.status.code(), Some(2));
        assert!(text(&unknown.stderr).contains("nobody"));
        server.stop();
    }
}
