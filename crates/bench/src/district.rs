//! The bench's small district, built through the store and the use cases like the HTTP
//! tests' fixture: the hall, one department with a clerk, an officer, a reviewer and an
//! approver, and one committed item that goes through every step.

use anyhow::{Context, Result};
use liandong_app::{App, catalog_file};
use liandong_domain::organization::{Role, UnitKind};
use liandong_store::{NewStaff, NewUnit};

/// The password of every bench account.
pub const PASSWORD: &str = "bench-password-1";

/// The item every bench case is for: handle → review → approve, 8 committed working days.
pub const ITEM: &str = "XK00001000";

const CATALOG: &str = "code,name,department_code,level,branch_code,proxy_by_village,kind,legal_basis,statutory_days,committed_days,on_the_spot,window_authorised,materials,fees,prerequisites,steps
XK00001000,食品经营许可（新办）,D01,district_hall,,true,licence,《中华人民共和国食品安全法》第三十五条,20,8,false,false,申请书|original|1|required;营业执照|copy|1|required;健康证明|copy|1|optional,,,handle|5|handling_officer;review|2|reviewer;approve|1|approver
";

/// The accounts, by role.
pub const CLERK: &str = "d01.clerk";
pub const OFFICER: &str = "d01.officer";
pub const REVIEWER: &str = "d01.reviewer";
pub const APPROVER: &str = "d01.approver";

/// An application for [`ITEM`] with every required material.
pub fn intake_json() -> Vec<u8> {
    serde_json::json!({
        "item_code": ITEM,
        "applicant": { "type": "person", "name": "王建国", "resident_id": "11010519491231002X" },
        "phone": "13800138000",
        "channel": "window",
        "materials": ["申请书", "营业执照"],
    })
    .to_string()
    .into_bytes()
}

/// Builds the district into an empty, migrated database.
pub async fn build(app: &App) -> Result<()> {
    let hash = liandong_app::auth::hash_password(PASSWORD)?;
    let mut tx = app.store.begin().await?;
    let hall = tx
        .insert_unit(&NewUnit {
            code: "100".into(),
            name: "渝北区行政审批服务大厅".into(),
            kind: UnitKind::DistrictHall,
            parent_id: None,
            address: String::new(),
            phone: String::new(),
        })
        .await?;
    let d01 = tx
        .insert_department(
            "D01",
            "重庆市渝北区市场监督管理局",
            "区市场监管局",
            hall,
            "",
        )
        .await?;
    let people = [
        ("admin", None, Role::SystemAdmin),
        (CLERK, Some(d01), Role::WindowClerk),
        (OFFICER, Some(d01), Role::HandlingOfficer),
        (REVIEWER, Some(d01), Role::Reviewer),
        (APPROVER, Some(d01), Role::Approver),
    ];
    for (username, department, role) in people {
        tx.insert_staff(
            &NewStaff {
                username: username.into(),
                display_name: username.into(),
                unit_id: hall,
                department_id: department,
                roles: vec![role],
                password_hash: hash.clone(),
                phone: String::new(),
            },
            0,
        )
        .await?;
    }
    tx.commit().await?;
    let items = catalog_file::read_csv(CATALOG.as_bytes()).map_err(|errors| {
        anyhow::anyhow!(
            "bench catalog: {}",
            errors
                .first()
                .map(|e| e.message_en.clone())
                .unwrap_or_default()
        )
    })?;
    let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).context("date")?;
    app.import_catalog(None, items, from).await?;
    Ok(())
}
