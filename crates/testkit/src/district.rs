//! The fixture district of the integration tests: a hall with two departments, two
//! townships with their village stations, staff for every role, and a three-item catalog.
#![allow(clippy::expect_used)]

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use liandong_app::{App, catalog_file};
use liandong_domain::calendar::china_offset;
use liandong_domain::organization::{DepartmentId, Role, UnitId, UnitKind};
use liandong_store::{NewStaff, NewUnit};

/// The password of every fixture account; hashed once per test run.
pub const PASSWORD: &str = "test-password-1";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| liandong_app::auth::hash_password(PASSWORD).expect("hash"))
}

/// The catalog of the fixture district.
pub const CATALOG: &str = "code,name,department_code,level,branch_code,proxy_by_village,kind,legal_basis,statutory_days,committed_days,on_the_spot,window_authorised,materials,fees,prerequisites,steps
XK00001000,食品经营许可（新办）,D01,district_hall,,true,licence,《中华人民共和国食品安全法》第三十五条,20,8,false,false,申请书|original|1|required;营业执照|copy|1|required;健康证明|copy|1|optional,,,handle|5|handling_officer;review|2|reviewer;approve|1|approver
GG00002000,个体工商户名称变更登记,D01,district_hall,,true,public_service,《促进个体工商户发展条例》,5,0,true,true,变更申请书|original|1|required,,,approve|0|window_clerk
GG00003000,最低生活保障申请受理,D02,township_center,,true,public_service,《社会救助暂行办法》第十一条,30,10,false,false,申请书|original|1|required;户口簿|copy|1|required,,,handle|6|handling_officer;approve|4|approver
";

/// A Monday in March 2026, 10:00 China time: where the fixed clocks of the tests start.
pub fn start_time() -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

/// Builds the fixture district into an empty, migrated database: the hall (100), township
/// 201 with villages 20101 and 20102, township 202 with village 20201, departments D01 and
/// D02 at the hall, the accounts below, and the catalog in force from 2025-01-01.
pub async fn build_district(app: &App) {
    let mut tx = app.store.begin().await.expect("begin");
    let unit = |code: &str, name: &str, kind: UnitKind, parent: Option<UnitId>| NewUnit {
        code: code.into(),
        name: name.into(),
        kind,
        parent_id: parent,
        address: String::new(),
        phone: String::new(),
    };
    let mut units = Vec::new();
    for (code, name, kind, parent) in [
        (
            "100",
            "渝北区行政审批服务大厅",
            UnitKind::DistrictHall,
            None,
        ),
        (
            "201",
            "双龙湖街道便民服务中心",
            UnitKind::TownshipCenter,
            Some(0),
        ),
        (
            "202",
            "回兴街道便民服务中心",
            UnitKind::TownshipCenter,
            Some(0),
        ),
        (
            "20101",
            "龙湖社区便民服务站",
            UnitKind::VillageStation,
            Some(1),
        ),
        (
            "20102",
            "双湖社区便民服务站",
            UnitKind::VillageStation,
            Some(1),
        ),
        (
            "20201",
            "宝桐社区便民服务站",
            UnitKind::VillageStation,
            Some(2),
        ),
    ] {
        let parent = parent.map(|i: usize| units[i]);
        units.push(
            tx.insert_unit(&unit(code, name, kind, parent))
                .await
                .expect("unit"),
        );
    }
    let (hall, t201, t202, v1, v2, v3) =
        (units[0], units[1], units[2], units[3], units[4], units[5]);
    let d01 = tx
        .insert_department(
            "D01",
            "重庆市渝北区市场监督管理局",
            "区市场监管局",
            hall,
            &government_credit_code(1),
        )
        .await
        .expect("d");
    let d02 = tx
        .insert_department(
            "D02",
            "重庆市渝北区民政局",
            "区民政局",
            hall,
            &government_credit_code(2),
        )
        .await
        .expect("d");
    let people: Vec<(&str, &str, UnitId, Option<DepartmentId>, Role)> = vec![
        ("admin", "系统管理员", hall, None, Role::SystemAdmin),
        ("supervisor", "监察员", hall, None, Role::Supervisor),
        ("d01.clerk", "李窗口", hall, Some(d01), Role::WindowClerk),
        (
            "d01.officer",
            "张承办",
            hall,
            Some(d01),
            Role::HandlingOfficer,
        ),
        ("d01.reviewer", "赵审核", hall, Some(d01), Role::Reviewer),
        ("d01.approver", "刘批准", hall, Some(d01), Role::Approver),
        (
            "d02.officer",
            "陈承办",
            hall,
            Some(d02),
            Role::HandlingOfficer,
        ),
        ("t201.clerk", "周窗口", t201, None, Role::WindowClerk),
        ("t201.officer", "王承办", t201, None, Role::HandlingOfficer),
        ("t201.approver", "钱批准", t201, None, Role::Approver),
        ("t202.officer", "冯承办", t202, None, Role::HandlingOfficer),
        ("t201.admin", "吴管理", t201, None, Role::UnitAdmin),
        ("v20101.clerk", "郑代办", v1, None, Role::WindowClerk),
        ("v20102.clerk", "褚代办", v2, None, Role::WindowClerk),
        ("v20201.clerk", "孙代办", v3, None, Role::WindowClerk),
    ];
    for (username, name, unit, department, role) in people {
        tx.insert_staff(
            &NewStaff {
                username: username.into(),
                display_name: name.into(),
                unit_id: unit,
                department_id: department,
                roles: vec![role],
                password_hash: password_hash().into(),
                phone: match username {
                    "d01.officer" => "13900000001".into(),
                    "d01.approver" => "13900000002".into(),
                    // The hall's clerk is also the green-channel agent of key projects.
                    "d01.clerk" => "13900000003".into(),
                    "supervisor" => "13900000009".into(),
                    _ => String::new(),
                },
            },
            0,
        )
        .await
        .expect("staff");
    }
    tx.commit().await.expect("commit");
    let items = catalog_file::read_csv(CATALOG.as_bytes()).expect("catalog");
    let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    app.import_catalog(None, items, from).await.expect("import");
}

/// A valid unified social credit code of a government body (机关, `11`) of Yubei (`500112`),
/// the `n`th: what a department's certificates carry.
pub fn government_credit_code(n: u32) -> String {
    let first17 = format!("11500112{n:09}");
    let check = liandong_domain::ids::credit_code_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}
