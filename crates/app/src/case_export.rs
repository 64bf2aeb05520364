//! Case lists exported as CSV for reports. Applicants' identities are masked unless the
//! exporter works on cases and asks for them in full; every export is audited, with its
//! filter, row count and whether identities were in it (等保: audit of personal-data export).

use chrono::{DateTime, Utc};
use liandong_domain::calendar::china_offset;
use liandong_domain::case::disclosure::mask_person_name;
use liandong_domain::ids::{CreditCode, PhoneNumber, ResidentId};
use liandong_domain::organization::Role;
use liandong_store::{AuditEntry, CaseFilter, CaseSummary};

use crate::{App, AppError, Result, Session};

/// The most rows one export holds; a larger list must be narrowed by its filter.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The roles whose work needs applicants' identities in full.
const IDENTITY_ROLES: [Role; 4] = [
    Role::WindowClerk,
    Role::HandlingOfficer,
    Role::Reviewer,
    Role::Approver,
];

/// How applicants appear in an export.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    /// `王**`, `1101**********002X`, `138****8000`.
    #[default]
    Masked,
    /// As recorded; only for roles that work on cases.
    Full,
}

const COLUMNS: [&str; 16] = [
    "办件编号 number",
    "事项编码 item_code",
    "事项名称 item_name",
    "收件单位 received_unit",
    "办理单位 handling_unit",
    "部门 department",
    "渠道 channel",
    "申请人 applicant",
    "证件号码 id_number",
    "联系电话 phone",
    "状态 state",
    "结果 outcome",
    "收件时间 received_at",
    "受理时间 accepted_at",
    "承诺办结时间 due_at",
    "办结时间 closed_at",
];

fn china_time(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&china_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// The applicant's name, ID number and phone as an export shows them.
fn applicant_cells(case: &CaseSummary, personal: PersonalData) -> [String; 3] {
    if personal == PersonalData::Full {
        return [
            case.applicant_name.clone(),
            case.applicant_id_number.clone(),
            case.phone.clone(),
        ];
    }
    let (name, id) = if let Ok(id) = ResidentId::parse(&case.applicant_id_number) {
        (mask_person_name(&case.applicant_name), id.masked())
    } else if let Ok(code) = CreditCode::parse(&case.applicant_id_number) {
        // An organisation's registered name is public record.
        (case.applicant_name.clone(), code.masked())
    } else {
        (mask_person_name(&case.applicant_name), String::new())
    };
    let phone = PhoneNumber::parse(&case.phone)
        .map(|p| p.masked())
        .unwrap_or_default();
    [name, id, phone]
}

impl App {
    /// The cases the session may see under `filter`, as CSV (UTF-8 with a BOM, so that
    /// spreadsheet programs read the Chinese right). `filter`'s paging is ignored.
    pub async fn export_cases(
        &self,
        session: &Session,
        filter: &CaseFilter,
        personal: PersonalData,
        filter_description: &str,
    ) -> Result<Vec<u8>> {
        if personal == PersonalData::Full {
            session.require_any(&IDENTITY_ROLES)?;
        }
        let filter = CaseFilter {
            limit: MAX_EXPORT_ROWS,
            offset: 0,
            ..filter.clone()
        };
        let (cases, total) = self.store.cases(&session.visibility, &filter).await?;
        if total > MAX_EXPORT_ROWS {
            return Err(AppError::invalid(
                "filter",
                format!(
                    "符合条件的办件有{total}件，超过单次导出上限{MAX_EXPORT_ROWS}件，请缩小日期或单位范围"
                ),
                format!(
                    "{total} cases match, more than the {MAX_EXPORT_ROWS} one export holds; narrow the dates or units"
                ),
            ));
        }
        let units = self.store.units().await?;
        let departments = self.store.departments().await?;
        let items = self.store.items(None, None).await?;
        let unit = |id| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.as_str())
                .unwrap_or_default()
        };
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let csv_error =
            |e: csv::Error| AppError::Storage(liandong_store::StoreError::Corrupt(e.to_string()));
        writer.write_record(COLUMNS).map_err(csv_error)?;
        for case in &cases {
            let item = items.iter().find(|i| i.id == case.item_id);
            let [name, id, phone] = applicant_cells(case, personal);
            writer
                .write_record([
                    case.number.as_str(),
                    item.map(|i| i.item.code.as_str()).unwrap_or_default(),
                    item.map(|i| i.item.name.as_str()).unwrap_or_default(),
                    unit(case.received_unit_id),
                    unit(case.handling_unit_id),
                    departments
                        .iter()
                        .find(|d| d.id == case.department_id)
                        .map(|d| d.name.as_str())
                        .unwrap_or_default(),
                    case.channel.as_str(),
                    &name,
                    &id,
                    &phone,
                    case.state.name_zh(),
                    case.outcome.map(|o| o.as_str()).unwrap_or_default(),
                    &china_time(Some(case.received_at)),
                    &china_time(case.accepted_at),
                    &china_time(case.due_at),
                    &china_time(case.closed_at),
                ])
                .map_err(csv_error)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        self.store
            .audit(&AuditEntry {
                at: self.now(),
                actor_id: Some(session.staff.id),
                action: "cases_exported".into(),
                target: format!("staff:{}", session.staff.username),
                detail: format!(
                    "{} rows, personal data {}; {filter_description}",
                    cases.len(),
                    match personal {
                        PersonalData::Masked => "masked",
                        PersonalData::Full => "in full",
                    }
                ),
            })
            .await?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn summary(name: &str, id: &str, phone: &str) -> CaseSummary {
        CaseSummary {
            id: liandong_domain::organization::CaseId(1),
            number: liandong_domain::case::CaseNumber::parse("100-20261130-0001").unwrap(),
            item_id: liandong_domain::organization::ItemId(1),
            item_version: 1,
            received_unit_id: liandong_domain::organization::UnitId(1),
            handling_unit_id: liandong_domain::organization::UnitId(1),
            department_id: liandong_domain::organization::DepartmentId(1),
            channel: liandong_domain::case::Channel::Window,
            applicant_name: name.into(),
            applicant_id_number: id.into(),
            phone: phone.into(),
            state: liandong_domain::case::CaseState::Handling,
            outcome: None,
            received_at: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            accepted_at: None,
            due_at: None,
            due_provisional: false,
            decided_at: None,
            closed_at: None,
            version: 1,
            head_hash: String::new(),
        }
    }

    #[test]
    fn a_person_is_masked_and_an_organisation_keeps_its_name() {
        let person = summary("王建国", "11010519491231002X", "13800138000");
        assert_eq!(
            applicant_cells(&person, PersonalData::Masked),
            ["王**", "1101**********002X", "138****8000"]
        );
        assert_eq!(
            applicant_cells(&person, PersonalData::Full),
            ["王建国", "11010519491231002X", "13800138000"]
        );
        let code = format!(
            "91500112MA5U5YYP1{}",
            liandong_domain::ids::credit_code_check_char("91500112MA5U5YYP1").unwrap()
        );
        let company = summary("重庆市渝北区某某食品有限公司", &code, "023-67821234");
        let [name, id, phone] = applicant_cells(&company, PersonalData::Masked);
        assert_eq!(name, "重庆市渝北区某某食品有限公司");
        assert!(id.starts_with("9150") && id.contains('*'), "{id}");
        assert_eq!(phone, "023-****1234");
        // Something unparseable is never shown as recorded.
        let odd = summary("张三", "not-an-id", "n/a");
        assert_eq!(applicant_cells(&odd, PersonalData::Masked), ["张*", "", ""]);
    }
}
