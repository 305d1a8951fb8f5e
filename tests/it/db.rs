use crate::support::TestApp;
use canteen::audit::Actor;
use canteen::error::AppError;
use futures_util::future::join_all;

/// Many concurrent writes (group-committed on SQLite): a failing one loses only its own work.
#[actix_web::test]
async fn a_failing_write_among_many_concurrent_ones_rolls_back_alone() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now_naive();
    let writes = (0..40).map(|i| {
        let db = app.state.db.clone();
        async move {
            db.write(move |c| {
                let code = if i == 17 {
                    "U0".to_string()
                } else {
                    format!("U{i}")
                };
                canteen::people::store::create_unit(
                    c,
                    &Actor::system("test"),
                    now,
                    &code,
                    &format!("Đơn vị {i}"),
                    None,
                )?;
                if i == 23 {
                    return Err(AppError::internal("changed my mind"));
                }
                Ok(i)
            })
            .await
        }
    });
    let results = join_all(writes).await;
    let failed: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    // 17 collides with 0 (or 0 with 17, whichever ran second); 23 gave up after writing.
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.contains(&23));
    assert_eq!(app.count("units"), 38);
    assert_eq!(
        app.count("units WHERE name = 'Đơn vị 23'"),
        0,
        "nothing of the failed write stayed"
    );
    assert_eq!(app.count("audit_log"), 38, "its audit record went with it");
    let out = app.cli(&["verify-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
