//! The demo hall's queue groups and one key project in the green channel.

use anyhow::Result;
use liandong_app::App;
use liandong_app::projects::ProjectInput;
use liandong_domain::catalog::ItemCode;
use liandong_domain::ids::{CreditCode, PhoneNumber};
use liandong_domain::organization::{UnitKind, WindowKind};
use liandong_domain::project::PlannedApproval;
use liandong_domain::queue::BusinessGroup;

use super::{DEMO_PASSWORD, Org};

/// Queue groups: at the hall by kind of window, at each township center its window.
async fn seed_queue_groups(app: &App, org: &Org) -> Result<()> {
    let mut tx = app.store.begin().await?;
    for (unit, _, kind, _) in &org.units {
        let windows = app.store.windows(Some(*unit)).await?;
        let ids = |kinds: &[WindowKind]| {
            windows
                .iter()
                .filter(|w| kinds.contains(&w.kind))
                .map(|w| w.id)
                .collect::<Vec<_>>()
        };
        let groups: Vec<BusinessGroup> = match kind {
            UnitKind::DistrictHall => [
                (
                    "A",
                    "审批受理",
                    ids(&[WindowKind::Independent, WindowKind::Comprehensive]),
                ),
                ("B", "收费缴款", ids(&[WindowKind::Fee])),
                ("C", "中介服务", ids(&[WindowKind::Intermediary])),
                ("D", "定时服务", ids(&[WindowKind::Scheduled])),
            ]
            .into_iter()
            .filter(|(_, _, windows)| !windows.is_empty())
            .map(|(code, name, windows)| BusinessGroup {
                code: code.into(),
                name: name.into(),
                windows,
            })
            .collect(),
            UnitKind::TownshipCenter => vec![BusinessGroup {
                code: "A".into(),
                name: "便民服务".into(),
                windows: windows.iter().map(|w| w.id).collect(),
            }],
            UnitKind::BranchHall | UnitKind::VillageStation => continue,
        };
        if !groups.is_empty() {
            tx.set_queue_groups(*unit, &groups).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A factory in the green channel: investment approval first; land pre-examination and the
/// environmental assessment in parallel after it; then the planning permits, the construction
/// permit and the completion check in order. Its first approval is opened as a case.
async fn seed_key_project(app: &App) -> Result<()> {
    let code = |c: &str| ItemCode::parse(c);
    let plan = vec![
        ("XK00001000", "立项", vec![]),
        ("XK00020000", "用地", vec![0]),
        ("XK00026001", "环评", vec![0]),
        ("XK00021000", "规划", vec![1]),
        ("XK00022001", "规划", vec![3]),
        ("XK00030000", "施工许可", vec![2, 4]),
        ("QR00006000", "竣工验收", vec![5]),
    ];
    let mut approvals = Vec::new();
    for (item, stage, depends_on) in plan {
        approvals.push(PlannedApproval {
            item_code: code(item)?,
            stage: stage.into(),
            depends_on,
        });
    }
    let signed_in = app.sign_in("d01.clerk", DEMO_PASSWORD).await?;
    let session = app.authenticate(&signed_in.token).await?;
    let project = app
        .register_project(
            &session,
            &ProjectInput {
                name: "重庆渝北某食品有限公司新建生产基地项目".into(),
                code: String::new(),
                applicant_name: "重庆渝北某食品有限公司".into(),
                credit_code: CreditCode::parse("91500112MA5U5YYP13")?,
                phone: PhoneNumber::parse("023-67821234")?,
                target_days: None,
                approvals,
            },
        )
        .await?;
    app.open_ready_approvals(&session, project.project.id, project.project.version)
        .await?;
    app.sign_out(&signed_in.token).await?;
    Ok(())
}

pub(super) async fn seed_hall(app: &App, org: &Org) -> Result<()> {
    seed_queue_groups(app, org).await?;
    seed_key_project(app).await
}
