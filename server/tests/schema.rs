//! Migrations: two instances starting together apply them once; a newer schema refuses.

use elder_assess_server::{ServerError, migrate};

use crate::pg::Postgres;
use crate::support::Fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_together_migrate_once_and_a_newer_schema_is_refused() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let pool = elder_assess_server::pool(&url).unwrap();
                let mut client = pool.get().await.unwrap();
                migrate::migrate(&mut client).await
            })
        })
        .collect();
    for start in starts {
        assert_eq!(start.await.unwrap().unwrap(), migrate::latest());
    }
    let pool = elder_assess_server::pool(&url).unwrap();
    let client = pool.get().await.unwrap();
    let rows: i64 =
        client.query_one("SELECT count(*) FROM schema_migrations", &[]).await.unwrap().get(0);
    assert_eq!(rows, i64::from(migrate::latest()));
    // A database migrated by a newer program: this one refuses to serve it.
    client.execute("INSERT INTO schema_migrations (version) VALUES (99)", &[]).await.unwrap();
    let policy = elder_assess::policy::bundled(elder_assess::policy::DEFAULT_POLICY_ID);
    let fixture = Fixture::new();
    let county = elder_assess_server::county::CountyConfig::load(
        &policy.unwrap().unwrap(),
        &fixture.trust_dir(),
    )
    .unwrap();
    let refused = elder_assess_server::open(&url, county).await.err();
    assert!(matches!(refused, Some(ServerError::SchemaTooNew { found: 99, .. })), "{refused:?}");
}
