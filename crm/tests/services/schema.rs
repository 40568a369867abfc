//! The two migration folders describe one schema: same files, same tables, same columns.

use crate::helpers::{TestApp, spawn};
use std::collections::{BTreeMap, BTreeSet};
use testkit::{Backend, backends};

type Schema = BTreeMap<String, BTreeSet<String>>;

const IGNORED: [&str; 2] = ["_sqlx_migrations", "sqlite_sequence"];

async fn schema_of(app: &TestApp) -> Schema {
    let sql = match app.backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' ORDER BY m.name, p.cid"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        }
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(app.crm.store().pool()).await.unwrap();
    let mut schema = Schema::new();
    for (table, column) in rows {
        if !IGNORED.contains(&table.as_str()) {
            schema.entry(table).or_default().insert(column);
        }
    }
    schema
}

fn migration_names(dialect: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(dialect);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_migration_folders_hold_the_same_file_names() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must be numbered alike");
    assert!(sqlite.iter().all(|n| n.ends_with(".sql")), "{sqlite:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_get_the_same_tables_and_columns() {
    let sqlite = schema_of(&spawn(Backend::Sqlite).await).await;
    for table in ["staff", "clients", "tags", "client_tags", "interactions", "data_keys", "secure_documents"] {
        assert!(sqlite.contains_key(table), "sqlite lacks {table}: {sqlite:?}");
    }
    assert!(sqlite.contains_key("audit_log"));
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let postgres = schema_of(&spawn(Backend::Postgres).await).await;
    let tables = |s: &Schema| s.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres), "the two schemas have different tables");
    for (table, columns) in &sqlite {
        let pg = &postgres[table];
        assert_eq!(
            columns,
            pg,
            "table {table}: only in sqlite {:?}, only in postgres {:?}",
            columns.difference(pg).collect::<Vec<_>>(),
            pg.difference(columns).collect::<Vec<_>>()
        );
    }
}
