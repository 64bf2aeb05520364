//! The catalog of service items (事项), their dated versions, and the reform report
//! ("four reductions, one compression", 四减一压缩).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::organization::{Role, string_enum};

/// A service item basic code: two letters for the type, a 5-digit main item and a 3-digit
/// sub-item, e.g. `XK00001000` (provincial practice after GB/T 39554.1-2020).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemCode(String);

impl ItemCode {
    /// Checks the form and normalises to upper case.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let code = text.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let well_formed = bytes.len() == 10
            && bytes.iter().take(2).all(u8::is_ascii_uppercase)
            && bytes.iter().skip(2).all(u8::is_ascii_digit);
        if well_formed {
            Ok(Self(code))
        } else {
            Err(CatalogError::BadCode(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ItemCode {
    type Error = CatalogError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ItemCode> for String {
    fn from(code: ItemCode) -> Self {
        code.0
    }
}

impl std::fmt::Display for ItemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The level that handles an item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemLevel {
    DistrictHall,
    BranchHall,
    TownshipCenter,
}

/// Administrative licence (行政许可) or public service (公共服务).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Licence,
    PublicService,
}

/// The steps a case may go through after acceptance, in order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 承办
    Handle,
    /// 审核
    Review,
    /// 批准 (or 不予许可)
    Approve,
}

/// Whether a material is handed in as the original or a copy.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
}

string_enum!(ItemLevel {
    DistrictHall => "district_hall",
    BranchHall => "branch_hall",
    TownshipCenter => "township_center",
});
string_enum!(ItemKind { Licence => "licence", PublicService => "public_service" });
string_enum!(StepKind { Handle => "handle", Review => "review", Approve => "approve" });
string_enum!(MaterialForm { Original => "original", Copy => "copy" });

/// A material the applicant must (or may) hand in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    pub count: u32,
    pub optional: bool,
}

/// A fee and its legal standard, in fen. An item with no fees is free.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub name: String,
    pub amount_fen: i64,
    pub basis: String,
}

/// One step of the item's procedure, with its share of the committed time limit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    pub share_days: u32,
    pub role: Role,
}

/// The maximum extension the law allows for a single-department decision (行政许可法 Art 42).
pub const STATUTORY_EXTENSION_DAYS: u32 = 10;

/// One version of a service item: everything a service guide shows and the engine needs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: ItemCode,
    pub name: String,
    /// The department's code (stable across imports, unlike its row id).
    pub department_code: String,
    pub level: ItemLevel,
    /// For branch-hall items, the branch hall's unit code.
    pub branch_code: Option<String>,
    /// Village stations may take it by proxy (代办).
    pub proxy_by_village: bool,
    pub kind: ItemKind,
    pub legal_basis: String,
    /// 法定时限, in working days.
    pub statutory_days: u32,
    /// 承诺时限, in working days; cases are judged against it.
    pub committed_days: u32,
    /// 即办件: decided and concluded at the window in one visit.
    pub on_the_spot: bool,
    /// 双章制: the window holds the approval seal.
    pub window_authorised: bool,
    pub materials: Vec<Material>,
    pub fees: Vec<Fee>,
    pub prerequisites: Vec<ItemCode>,
    pub steps: Vec<Step>,
    /// The most working days an extension may add (Art 42: 10; Art 26 joint handling: 15).
    #[serde(default = "statutory_extension_days")]
    pub extension_limit_days: u32,
    /// 证照有效期: the years a licence's certificate is in force from its issue; `None` for a
    /// certificate without expiry (长期). Only a licence (行政许可) has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_valid_years: Option<u32>,
}

/// The longest validity a certificate may be given; the longest in national law are mining
/// rights of up to 30 years (矿产资源开采登记管理办法 Art 7).
pub const MAX_CERTIFICATE_VALID_YEARS: u32 = 30;

fn statutory_extension_days() -> u32 {
    STATUTORY_EXTENSION_DAYS
}

/// A rule of the catalog that an item or a file breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "事项编码“{0}”格式错误，应为两位字母加八位数字 / item code `{0}` must be two letters and eight digits"
    )]
    BadCode(String),
    #[error("事项{code}：{message_zh} / item {code}: {message_en}")]
    InvalidItem {
        code: String,
        message_zh: String,
        message_en: String,
    },
}

impl ServiceItem {
    fn invalid(&self, zh: impl Into<String>, en: impl Into<String>) -> CatalogError {
        CatalogError::InvalidItem {
            code: self.code.to_string(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// Checks the item's own rules; every rule broken is reported.
    pub fn validate(&self) -> Result<(), Vec<CatalogError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(self.invalid("名称不能为空", "the name is empty"));
        }
        if self.committed_days > self.statutory_days {
            errors.push(self.invalid(
                format!(
                    "承诺时限{}个工作日超过法定时限{}个工作日",
                    self.committed_days, self.statutory_days
                ),
                format!(
                    "committed limit {} exceeds statutory limit {} working days",
                    self.committed_days, self.statutory_days
                ),
            ));
        }
        if self.on_the_spot && self.committed_days != 0 {
            errors.push(self.invalid(
                "即办件的承诺时限应为0",
                "an on-the-spot item has a committed limit of 0",
            ));
        }
        if self.level == ItemLevel::BranchHall && self.branch_code.is_none() {
            errors.push(self.invalid(
                "分厅事项须指明分厅",
                "a branch-hall item names its branch hall",
            ));
        }
        let kinds: Vec<StepKind> = self.steps.iter().map(|s| s.kind).collect();
        let ordered = kinds.windows(2).all(|w| matches!(w, [a, b] if a < b));
        if kinds.last() != Some(&StepKind::Approve) || !ordered {
            errors.push(self.invalid(
                "环节应按承办、审核、批准的顺序排列，且以批准结束",
                "steps run handle, review, approve in that order and end with approve",
            ));
        }
        let shares: u32 = self.steps.iter().map(|s| s.share_days).sum();
        if shares != self.committed_days {
            errors.push(self.invalid(
                format!(
                    "各环节时限之和{shares}不等于承诺时限{}",
                    self.committed_days
                ),
                format!(
                    "step shares add up to {shares}, not the committed {} days",
                    self.committed_days
                ),
            ));
        }
        let window_decides = self
            .step(StepKind::Approve)
            .is_some_and(|s| s.role == Role::WindowClerk);
        if window_decides != self.window_authorised {
            errors.push(self.invalid(
                "双章制事项由窗口批准，其他事项由批准人批准",
                "a window-authorised item is approved by the window clerk, any other by an approver",
            ));
        }
        if self.on_the_spot && self.steps.iter().any(|s| s.role != Role::WindowClerk) {
            errors.push(self.invalid(
                "即办件由窗口当场办结",
                "an on-the-spot item is decided by the window clerk",
            ));
        }
        for step in &self.steps {
            let allowed = [
                Role::WindowClerk,
                Role::HandlingOfficer,
                Role::Reviewer,
                Role::Approver,
            ];
            if !allowed.contains(&step.role) {
                errors.push(self.invalid(
                    format!("环节角色“{}”不能办理案件", step.role.name_zh()),
                    format!("role `{}` does not take case steps", step.role),
                ));
            }
        }
        for material in &self.materials {
            if material.name.trim().is_empty() || material.count == 0 {
                errors.push(self.invalid(
                    "材料须有名称且份数至少为1",
                    "a material has a name and a count of at least 1",
                ));
            }
        }
        for fee in &self.fees {
            if fee.amount_fen < 0 || fee.basis.trim().is_empty() {
                errors.push(self.invalid(
                    format!("收费“{}”须有非负金额和收费依据", fee.name),
                    format!(
                        "fee `{}` needs a non-negative amount and a legal basis",
                        fee.name
                    ),
                ));
            }
        }
        if let Some(years) = self.certificate_valid_years {
            if self.kind != ItemKind::Licence {
                errors.push(self.invalid(
                    "只有行政许可事项的证照有有效期",
                    "only a licence's certificate has a validity period",
                ));
            } else if !(1..=MAX_CERTIFICATE_VALID_YEARS).contains(&years) {
                errors.push(self.invalid(
                    format!("证照有效期应为1至{MAX_CERTIFICATE_VALID_YEARS}年，而非{years}年"),
                    format!(
                        "a certificate is valid for 1 to {MAX_CERTIFICATE_VALID_YEARS} years, not {years}"
                    ),
                ));
            }
        }
        if self.prerequisites.contains(&self.code) {
            errors.push(self.invalid(
                "事项不能以自身为前置",
                "an item cannot be its own prerequisite",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The step of `kind`, if the item goes through it.
    pub fn step(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind == kind)
    }

    /// The step after `kind` in this item's procedure.
    pub fn step_after(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind > kind)
    }

    /// The first step after acceptance.
    pub fn first_step(&self) -> Option<&Step> {
        self.steps.first()
    }

    /// The sum of the item's fee standards, in fen.
    pub fn total_fee_fen(&self) -> i64 {
        self.fees.iter().map(|f| f.amount_fen).sum()
    }
}

/// What one version of an item does: define the item as of a date, or cancel it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ItemChange {
    Defined { item: Box<ServiceItem> },
    Cancelled { reason: String },
}

/// A dated version of an item; the catalog keeps every one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemVersion {
    pub code: ItemCode,
    pub version: u32,
    pub effective_from: NaiveDate,
    pub change: ItemChange,
}

/// The items in force on `date`: for each code the latest version effective on or before it,
/// unless that version cancels the item.
pub fn in_force_on(versions: &[ItemVersion], date: NaiveDate) -> BTreeMap<ItemCode, ServiceItem> {
    let mut latest: BTreeMap<&ItemCode, &ItemVersion> = BTreeMap::new();
    for v in versions.iter().filter(|v| v.effective_from <= date) {
        let newer = latest.get(&v.code).is_none_or(|seen| {
            (v.effective_from, v.version) >= (seen.effective_from, seen.version)
        });
        if newer {
            latest.insert(&v.code, v);
        }
    }
    latest
        .into_iter()
        .filter_map(|(code, v)| match &v.change {
            ItemChange::Defined { item } => Some((code.clone(), (**item).clone())),
            ItemChange::Cancelled { .. } => None,
        })
        .collect()
}

/// The "four reductions, one compression" between two dates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReformReport {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub items_before: usize,
    pub items_after: usize,
    /// 减少项目
    pub items_cancelled: Vec<ItemCode>,
    pub items_added: Vec<ItemCode>,
    /// 减少环节: items with fewer steps, and the steps removed in all.
    pub items_with_fewer_steps: usize,
    pub steps_removed: usize,
    /// 减少材料
    pub items_with_fewer_materials: usize,
    pub materials_removed: usize,
    /// 减少前置
    pub items_with_fewer_prerequisites: usize,
    pub prerequisites_removed: usize,
    /// 压缩时限: items whose committed limit fell, and the working days saved in all.
    pub items_with_shorter_limits: usize,
    pub working_days_saved: u64,
    /// 即办件 before and after, and the items that became on-the-spot.
    pub on_the_spot_before: usize,
    pub on_the_spot_after: usize,
    pub on_the_spot_added: Vec<ItemCode>,
}

/// Compares the catalog in force on `from` with the one in force on `to`.
pub fn reform_report(versions: &[ItemVersion], from: NaiveDate, to: NaiveDate) -> ReformReport {
    let before = in_force_on(versions, from);
    let after = in_force_on(versions, to);
    let mut report = ReformReport {
        from: Some(from),
        to: Some(to),
        items_before: before.len(),
        items_after: after.len(),
        on_the_spot_before: before.values().filter(|i| i.on_the_spot).count(),
        on_the_spot_after: after.values().filter(|i| i.on_the_spot).count(),
        ..ReformReport::default()
    };
    report.items_cancelled = before
        .keys()
        .filter(|c| !after.contains_key(*c))
        .cloned()
        .collect();
    report.items_added = after
        .keys()
        .filter(|c| !before.contains_key(*c))
        .cloned()
        .collect();
    for (code, new) in &after {
        let Some(old) = before.get(code) else {
            if new.on_the_spot {
                report.on_the_spot_added.push(code.clone());
            }
            continue;
        };
        let removed = |old: usize, new: usize| old.saturating_sub(new);
        let steps = removed(old.steps.len(), new.steps.len());
        if steps > 0 {
            report.items_with_fewer_steps += 1;
            report.steps_removed += steps;
        }
        let materials = old
            .materials
            .iter()
            .filter(|m| !new.materials.iter().any(|n| n.name == m.name))
            .count();
        if materials > 0 {
            report.items_with_fewer_materials += 1;
            report.materials_removed += materials;
        }
        let prerequisites = old
            .prerequisites
            .iter()
            .filter(|p| !new.prerequisites.contains(p))
            .count();
        if prerequisites > 0 {
            report.items_with_fewer_prerequisites += 1;
            report.prerequisites_removed += prerequisites;
        }
        if new.committed_days < old.committed_days {
            report.items_with_shorter_limits += 1;
            report.working_days_saved += u64::from(old.committed_days - new.committed_days);
        }
        if new.on_the_spot && !old.on_the_spot {
            report.on_the_spot_added.push(code.clone());
        }
    }
    report
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn licence(code: &str) -> ServiceItem {
        ServiceItem {
            code: ItemCode::parse(code).unwrap(),
            name: "食品经营许可（新办）".into(),
            department_code: "D22".into(),
            level: ItemLevel::DistrictHall,
            branch_code: None,
            proxy_by_village: false,
            kind: ItemKind::Licence,
            legal_basis: "《中华人民共和国食品安全法》第三十五条".into(),
            statutory_days: 20,
            committed_days: 8,
            on_the_spot: false,
            window_authorised: false,
            materials: vec![
                Material {
                    name: "申请书".into(),
                    form: MaterialForm::Original,
                    count: 1,
                    optional: false,
                },
                Material {
                    name: "营业执照".into(),
                    form: MaterialForm::Copy,
                    count: 1,
                    optional: false,
                },
            ],
            fees: vec![],
            prerequisites: vec![],
            steps: vec![
                Step {
                    kind: StepKind::Handle,
                    share_days: 5,
                    role: Role::HandlingOfficer,
                },
                Step {
                    kind: StepKind::Review,
                    share_days: 2,
                    role: Role::Reviewer,
                },
                Step {
                    kind: StepKind::Approve,
                    share_days: 1,
                    role: Role::Approver,
                },
            ],
            extension_limit_days: STATUTORY_EXTENSION_DAYS,
            certificate_valid_years: None,
        }
    }

    pub(crate) fn on_the_spot(code: &str) -> ServiceItem {
        ServiceItem {
            committed_days: 0,
            on_the_spot: true,
            window_authorised: true,
            steps: vec![Step {
                kind: StepKind::Approve,
                share_days: 0,
                role: Role::WindowClerk,
            }],
            ..licence(code)
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn defined(item: &ServiceItem, version: u32, from: &str) -> ItemVersion {
        ItemVersion {
            code: item.code.clone(),
            version,
            effective_from: date(from),
            change: ItemChange::Defined {
                item: Box::new(item.clone()),
            },
        }
    }

    #[test]
    fn item_codes_are_two_letters_and_eight_digits() {
        assert_eq!(
            ItemCode::parse(" xk00001000 ").unwrap().as_str(),
            "XK00001000"
        );
        for bad in ["XK0000100", "X100001000", "XK0000100A", "", "许可00001000"] {
            assert!(ItemCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_well_formed_licence_and_on_the_spot_item_validate() {
        assert_eq!(licence("XK00001000").validate(), Ok(()));
        assert_eq!(on_the_spot("XK00002000").validate(), Ok(()));
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let mut item = licence("XK00001000");
        item.committed_days = 25;
        item.steps.reverse();
        item.prerequisites.push(item.code.clone());
        let errors = item.validate().unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0]
                .to_string()
                .contains("承诺时限25个工作日超过法定时限20个工作日")
        );
    }

    #[test]
    fn only_a_licence_has_a_certificate_validity_of_1_to_30_years() {
        for years in [1, 5, MAX_CERTIFICATE_VALID_YEARS] {
            let item = ServiceItem {
                certificate_valid_years: Some(years),
                ..licence("XK00001000")
            };
            assert_eq!(item.validate(), Ok(()), "{years}");
        }
        for years in [0, MAX_CERTIFICATE_VALID_YEARS + 1] {
            let item = ServiceItem {
                certificate_valid_years: Some(years),
                ..licence("XK00001000")
            };
            let errors = item.validate().unwrap_err();
            assert!(
                errors[0].to_string().contains("证照有效期应为1至30年"),
                "{errors:?}"
            );
        }
        let service = ServiceItem {
            kind: ItemKind::PublicService,
            certificate_valid_years: Some(5),
            ..licence("GG00001000")
        };
        let errors = service.validate().unwrap_err();
        assert!(
            errors[0].to_string().contains("只有行政许可事项"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_definition_without_a_validity_reads_and_writes_as_before() {
        let item = licence("XK00001000");
        let json = serde_json::to_string(&item).unwrap();
        assert!(!json.contains("certificate_valid_years"));
        let back: ServiceItem = serde_json::from_str(&json).unwrap();
        assert_eq!(back.certificate_valid_years, None);
        let five = ServiceItem {
            certificate_valid_years: Some(5),
            ..item
        };
        let back: ServiceItem =
            serde_json::from_str(&serde_json::to_string(&five).unwrap()).unwrap();
        assert_eq!(back, five);
    }

    #[test]
    fn the_catalog_in_force_follows_dated_versions_and_cancellations() {
        let a = licence("XK00001000");
        let mut a2 = a.clone();
        a2.committed_days = 5;
        let b = on_the_spot("XK00002000");
        let versions = vec![
            defined(&a, 1, "2025-01-01"),
            defined(&b, 1, "2025-01-01"),
            defined(&a2, 2, "2025-06-01"),
            ItemVersion {
                code: b.code.clone(),
                version: 2,
                effective_from: date("2025-09-01"),
                change: ItemChange::Cancelled {
                    reason: "取消".into(),
                },
            },
        ];
        assert!(in_force_on(&versions, date("2024-12-31")).is_empty());
        let spring = in_force_on(&versions, date("2025-03-01"));
        assert_eq!(spring.len(), 2);
        assert_eq!(spring[&a.code].committed_days, 8);
        let autumn = in_force_on(&versions, date("2025-10-01"));
        assert_eq!(autumn.len(), 1);
        assert_eq!(autumn[&a.code].committed_days, 5);
    }

    #[test]
    fn the_reform_report_counts_four_reductions_and_one_compression() {
        let a = licence("XK00001000");
        let mut a2 = a.clone();
        a2.committed_days = 3;
        a2.steps = vec![
            Step {
                kind: StepKind::Handle,
                share_days: 2,
                role: Role::HandlingOfficer,
            },
            Step {
                kind: StepKind::Approve,
                share_days: 1,
                role: Role::Approver,
            },
        ];
        a2.materials.pop();
        let mut c = licence("XK00003000");
        c.prerequisites = vec![a.code.clone()];
        let mut c2 = on_the_spot("XK00003000");
        c2.prerequisites.clear();
        let gone = licence("XK00004000");
        let versions = vec![
            defined(&a, 1, "2024-01-01"),
            defined(&c, 1, "2024-01-01"),
            defined(&gone, 1, "2024-01-01"),
            defined(&a2, 2, "2025-03-01"),
            defined(&c2, 2, "2025-03-01"),
            ItemVersion {
                code: gone.code.clone(),
                version: 2,
                effective_from: date("2025-03-01"),
                change: ItemChange::Cancelled {
                    reason: "法律修改".into(),
                },
            },
            defined(&on_the_spot("XK00005000"), 1, "2025-04-01"),
        ];
        let r = reform_report(&versions, date("2024-06-01"), date("2025-06-01"));
        assert_eq!((r.items_before, r.items_after), (3, 3));
        assert_eq!(r.items_cancelled, vec![gone.code.clone()]);
        assert_eq!(r.items_added.len(), 1);
        assert_eq!((r.items_with_fewer_steps, r.steps_removed), (2, 3));
        assert_eq!((r.items_with_fewer_materials, r.materials_removed), (1, 1));
        assert_eq!(
            (r.items_with_fewer_prerequisites, r.prerequisites_removed),
            (1, 1)
        );
        assert_eq!((r.items_with_shorter_limits, r.working_days_saved), (2, 13));
        assert_eq!((r.on_the_spot_before, r.on_the_spot_after), (0, 2));
        assert_eq!(r.on_the_spot_added.len(), 2);
    }
}
