//! The demo hall's queue groups and one key project in the green channel.

use anyhow::Result;
use liandong_app::App;
use liandong_app::consultations::{AskInput, ConsultationRequest};
use liandong_app::online::{ApplicantSession, OnlineApplication, UploadedFile};
use liandong_app::projects::ProjectInput;
use liandong_domain::case::Applicant;
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

/// Online services: questions about the investment items, two answered and published under
/// the guide and one waiting; and an application made online with its scans, waiting for
/// the window's pre-examination.
async fn seed_online(app: &App) -> Result<()> {
    let asker = ApplicantSession {
        phone: PhoneNumber::parse("13912340001")?,
        expires_at: app.now() + chrono::Duration::hours(1),
    };
    let signed_in = app.sign_in("d01.officer", DEMO_PASSWORD).await?;
    let officer = app.authenticate(&signed_in.token).await?;
    let questions = [
        (
            "XK00001000",
            "核准和备案有什么区别",
            "我们是民营企业，准备投资新建厂房，需要办理核准还是备案？",
            Some(
                "列入《政府核准的投资项目目录（重庆市）》的项目实行核准，其余企业投资项目实行备案，请在“企业投资项目备案”事项办理。",
            ),
        ),
        (
            "XK00001000",
            "项目申请报告可以自行编制吗",
            "项目申请报告是否必须委托中介机构编制？",
            Some(
                "项目单位可以自行编制，也可以自主委托具备相应能力的机构编制，审批部门不得指定中介机构。",
            ),
        ),
        (
            "GG00001000",
            "备案后多久可以开工",
            "企业投资项目备案完成后，还需要办理哪些手续才能开工？",
            None,
        ),
    ];
    for (item, title, text, answer) in questions {
        let asked = app
            .ask_question(
                &asker,
                &AskInput {
                    item_code: ItemCode::parse(item)?,
                    name: "何建华".into(),
                    title: title.into(),
                    text: text.into(),
                    anonymous: false,
                },
            )
            .await?;
        if let Some(answer) = answer {
            let answered = app
                .act_on_consultation(
                    &officer,
                    asked.id,
                    asked.version,
                    &ConsultationRequest::Answer {
                        answer: answer.into(),
                    },
                )
                .await?;
            app.act_on_consultation(
                &officer,
                asked.id,
                answered.row.version,
                &ConsultationRequest::Publish,
            )
            .await?;
        }
    }
    app.sign_out(&signed_in.token).await?;
    // A scan as small as a PDF can be: enough for the officers' viewer to open.
    let scan = |title: &str| {
        format!(
            "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% {title}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        )
        .into_bytes()
    };
    let item = ItemCode::parse("XK00001000")?;
    let record = app.item_by_code(&item).await?;
    let files = record
        .item
        .materials
        .iter()
        .filter(|m| !m.optional)
        .map(|m| UploadedFile {
            material: m.name.clone(),
            file_name: format!("{}.pdf", m.name),
            bytes: scan(&m.name),
        })
        .collect();
    app.submit_online(
        &asker,
        OnlineApplication {
            item_code: item,
            applicant: Applicant::Organisation {
                name: "重庆渝北某机械制造有限公司".into(),
                credit_code: CreditCode::parse("91500112MA5U5YYP13")?,
            },
            township: None,
            files,
            submission_key: None,
        },
    )
    .await?;
    Ok(())
}

pub(super) async fn seed_hall(app: &App, org: &Org) -> Result<()> {
    seed_queue_groups(app, org).await?;
    seed_key_project(app).await?;
    seed_online(app).await
}
