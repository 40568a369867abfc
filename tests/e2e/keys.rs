//! The files that hold the keys and the data are their owner's only; `keys rotate --master`
//! replaces a leaked master key, from a key file or from the environment.

use crate::helpers::{Sandbox, text};
use crm::crypto::MasterKey;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use testkit::{Backend, backends};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn lines(stderr: &[u8]) -> Vec<String> {
    text(stderr).lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_real_start_keeps_the_data_dir_the_database_and_its_journals_private() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let server = sb.serve(&[]).await;
    let data = sb.data_dir();
    // While the server runs, SQLite has its -wal and -shm files open beside the database.
    assert_eq!(mode(&data), 0o700, "data dir");
    for file in ["tourcrm.db", "tourcrm.db-wal", "tourcrm.db-shm", "master.key"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    server.stop();

    // A database an older version left open to everyone is closed at the next start.
    std::fs::set_permissions(data.join("tourcrm.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sb.run(&["staff", "list"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(mode(&data.join("tourcrm.db")), 0o600);
}

#[tokio::test]
async fn a_key_file_others_can_read_stops_the_start_with_the_chmod_that_fixes_it() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let key = sb.data_dir().join("master.key");
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    let secret = MasterKey::generate_base64();
    std::fs::write(&key, &secret).unwrap();
    for bits in [0o644, 0o640] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(bits)).unwrap();
        let out = sb.run(&["serve"], &[]);
        let stderr = lines(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr:?}");
        assert_eq!(stderr.len(), 1, "one line expected: {stderr:?}");
        assert!(stderr[0].starts_with("tourcrm: "), "{stderr:?}");
        assert!(stderr[0].contains(&format!("chmod 600 {}", key.display())), "{stderr:?}");
        assert!(!stderr[0].contains(&secret), "the key is printed: {stderr:?}");
        assert!(!sb.data_dir().join("tourcrm.db").exists(), "a refused start must change nothing");
        assert_eq!(mode(&key), bits, "the operator's file is left as it was");
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = sb.run(&["staff", "list"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn keys_rotate_master_replaces_the_key_file_and_the_old_key_opens_nothing() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let add = sb.run(&["staff", "add", "--role", "agent", "--name", "Смирнова Анна", "--login", "anna"], &[]);
        assert!(add.status.success(), "{backend}: {}", text(&add.stderr));
        let key = sb.data_dir().join("master.key");
        let old = std::fs::read_to_string(&key).unwrap();

        let out = sb.run(&["keys", "rotate", "--master"], &[]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
        assert!(stdout.contains("Мастер-ключ заменён") && stdout.contains(&key.display().to_string()), "{stdout}");
        let new = std::fs::read_to_string(&key).unwrap();
        assert_ne!(new, old);
        assert!(!stdout.contains(&new), "a key file's key is never printed");
        assert_eq!(mode(&key), 0o600);

        let with_file = sb.run(&["staff", "list"], &[]);
        assert!(with_file.status.success(), "{backend}: {}", text(&with_file.stderr));
        assert!(text(&with_file.stdout).contains("anna"));
        let with_old = sb.run(&["staff", "list"], &[("TOURCRM_MASTER_KEY", &old)]);
        assert_eq!(with_old.status.code(), Some(1), "{backend}: the old key still opens the data");
        assert!(text(&with_old.stderr).contains("encryption keys"), "{}", text(&with_old.stderr));
    }
}

#[tokio::test]
async fn keys_rotate_master_prints_a_key_from_the_environment_once_and_the_old_one_works_until_it_is_used() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let old = MasterKey::generate_base64();
        let old_env = [("TOURCRM_MASTER_KEY", old.as_str())];
        assert!(sb.run(&["migrate"], &old_env).status.success());

        let out = sb.run(&["keys", "rotate", "--master"], &old_env);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
        let line = stdout.lines().find(|l| l.starts_with("Новый мастер-ключ")).unwrap_or_else(|| panic!("{stdout}"));
        let new = line.split_whitespace().last().unwrap().to_owned();
        assert!(MasterKey::from_base64(&new).is_ok(), "{line}");
        assert!(stdout.contains("TOURCRM_MASTER_KEY"), "{stdout}");
        assert!(!sb.data_dir().join("master.key").exists(), "the environment's key never goes to a file");

        // Not switched yet: the old key still works, the log says what waits, and a data key
        // rotation is refused (exit code 2, in Russian).
        let waiting = sb.run(&["staff", "list"], &old_env);
        assert!(waiting.status.success(), "{backend}: {}", text(&waiting.stderr));
        assert!(text(&waiting.stderr).contains("keys rotate --master"), "{}", text(&waiting.stderr));
        let refused = sb.run(&["keys", "rotate"], &old_env);
        assert_eq!(refused.status.code(), Some(2), "{backend}: {}", text(&refused.stderr));
        assert!(text(&refused.stderr).contains("Смена мастер-ключа не закончена"), "{}", text(&refused.stderr));

        // The first start with the new key drops the old forms.
        let new_env = [("TOURCRM_MASTER_KEY", new.as_str())];
        let switched = sb.run(&["keys", "rotate"], &new_env);
        assert!(switched.status.success(), "{backend}: {}", text(&switched.stderr));
        let with_old = sb.run(&["staff", "list"], &old_env);
        assert_eq!(with_old.status.code(), Some(1), "{backend}: the old key still opens the data");
    }
}
