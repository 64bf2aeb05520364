//! Units, departments, windows and staff: the organization the three levels share.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A hall, branch hall, township center or village station.
    UnitId,
    /// A government department with approval powers.
    DepartmentId,
    /// A counter in a unit.
    WindowId,
    /// A member of staff.
    StaffId,
    /// A service item of the catalog (stable across its versions).
    ItemId,
    /// An application being handled.
    CaseId,
    /// A citizen's opinion, suggestion or problem (三项制度).
    AppealId,
);

/// The four levels of the linked network (三级联动, with the hall's branch halls beside it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 行政审批服务大厅
    DistrictHall,
    /// 分厅
    BranchHall,
    /// 镇街便民服务中心
    TownshipCenter,
    /// 村居便民服务站
    VillageStation,
}

/// The kinds of window the seed names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// 独立窗口: one department's own counter.
    Independent,
    /// 综合窗口: takes applications for several departments.
    Comprehensive,
    /// 定时窗口: staffed on set days.
    Scheduled,
    /// 收费窗口
    Fee,
    /// 中介窗口: intermediary services.
    Intermediary,
}

/// What a member of staff may do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 窗口受理人员: intake, supplement notices, result delivery.
    WindowClerk,
    /// 承办人: the handling officer's examination.
    HandlingOfficer,
    /// 审核人
    Reviewer,
    /// 批准人: decides, grants extensions.
    Approver,
    /// 单位管理员: keeps a unit's windows and staff.
    UnitAdmin,
    /// 监察人员: watches everything, acts on nothing.
    Supervisor,
    /// 系统管理员
    SystemAdmin,
}

macro_rules! string_enum {
    ($ty:ty { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $ty {
            /// The stable name used in storage, files and the API.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::organization::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok(Self::$variant),)*
                    other => Err($crate::organization::UnknownName { kind: stringify!($ty), name: other.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// A name that is not one of a closed set (a unit kind, a role…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无法识别的{kind}名称“{name}” / unknown {kind} name `{name}`")]
pub struct UnknownName {
    /// The set the name was looked up in.
    pub kind: &'static str,
    /// The name as given.
    pub name: String,
}

string_enum!(UnitKind {
    DistrictHall => "district_hall",
    BranchHall => "branch_hall",
    TownshipCenter => "township_center",
    VillageStation => "village_station",
});

string_enum!(WindowKind {
    Independent => "independent",
    Comprehensive => "comprehensive",
    Scheduled => "scheduled",
    Fee => "fee",
    Intermediary => "intermediary",
});

string_enum!(Role {
    WindowClerk => "window_clerk",
    HandlingOfficer => "handling_officer",
    Reviewer => "reviewer",
    Approver => "approver",
    UnitAdmin => "unit_admin",
    Supervisor => "supervisor",
    SystemAdmin => "system_admin",
});

impl UnitKind {
    /// The Chinese name shown to users.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::DistrictHall => "行政审批服务大厅",
            Self::BranchHall => "分厅",
            Self::TownshipCenter => "镇街便民服务中心",
            Self::VillageStation => "村居便民服务站",
        }
    }

    /// Which kind of unit may sit directly under this one.
    pub fn may_contain(self, child: UnitKind) -> bool {
        matches!(
            (self, child),
            (Self::DistrictHall, Self::BranchHall | Self::TownshipCenter)
                | (Self::TownshipCenter, Self::VillageStation)
        )
    }
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 7] = [
        Role::WindowClerk,
        Role::HandlingOfficer,
        Role::Reviewer,
        Role::Approver,
        Role::UnitAdmin,
        Role::Supervisor,
        Role::SystemAdmin,
    ];

    /// The Chinese name shown to users.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::WindowClerk => "窗口受理人员",
            Self::HandlingOfficer => "承办人",
            Self::Reviewer => "审核人",
            Self::Approver => "批准人",
            Self::UnitAdmin => "单位管理员",
            Self::Supervisor => "监察人员",
            Self::SystemAdmin => "系统管理员",
        }
    }

    /// Roles that see every case of the district.
    pub fn sees_everything(self) -> bool {
        matches!(self, Self::Supervisor | Self::SystemAdmin)
    }
}

/// A unit of the tree.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    /// Short numeric code; the first part of every case number received here.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
}

/// A member of staff as the case engine sees them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub staff_id: StaffId,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the actor holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The cases this actor may see, given the units below the actor's unit (itself included).
    pub fn visibility(&self, own_subtree: Vec<UnitId>) -> Visibility {
        if self.roles.iter().any(|r| r.sees_everything()) {
            return Visibility::All;
        }
        // Department officers see their department's cases wherever received; clerks and
        // officers of a unit without a department see the unit's; a unit administrator
        // the unit's subtree.
        let units = if self.has_role(Role::UnitAdmin) {
            own_subtree
        } else if self.has_role(Role::WindowClerk) || self.department_id.is_none() {
            vec![self.unit_id]
        } else {
            Vec::new()
        };
        Visibility::Limited {
            units,
            departments: self.department_id.into_iter().collect(),
        }
    }
}

/// Which cases a member of staff may read: every read and write is scoped by it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Supervisors and system administrators.
    All,
    /// Cases received or handled at one of `units`, or belonging to one of `departments`.
    Limited {
        units: Vec<UnitId>,
        departments: Vec<DepartmentId>,
    },
}

impl Visibility {
    /// Whether a case received at `received`, handled at `handling`, of `department`, is visible.
    pub fn allows(&self, received: UnitId, handling: UnitId, department: DepartmentId) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Limited { units, departments } => {
                units.contains(&received)
                    || units.contains(&handling)
                    || departments.contains(&department)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(unit: i64, department: Option<i64>, roles: &[Role]) -> Actor {
        Actor {
            staff_id: StaffId(1),
            unit_id: UnitId(unit),
            department_id: department.map(DepartmentId),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_village_clerk_sees_only_their_station() {
        let v = actor(7, None, &[Role::WindowClerk]).visibility(vec![UnitId(7)]);
        assert!(v.allows(UnitId(7), UnitId(3), DepartmentId(1)));
        assert!(!v.allows(UnitId(8), UnitId(3), DepartmentId(1)));
    }

    #[test]
    fn a_department_officer_sees_the_department_wherever_the_case_was_received() {
        let v = actor(1, Some(5), &[Role::HandlingOfficer]).visibility(vec![UnitId(1)]);
        assert!(v.allows(UnitId(40), UnitId(40), DepartmentId(5)));
        assert!(!v.allows(UnitId(40), UnitId(40), DepartmentId(6)));
        assert!(
            !v.allows(UnitId(1), UnitId(1), DepartmentId(6)),
            "not every case of the hall"
        );
    }

    #[test]
    fn a_unit_admin_sees_the_subtree_and_a_supervisor_everything() {
        let v = actor(3, None, &[Role::UnitAdmin]).visibility(vec![UnitId(3), UnitId(30)]);
        assert!(v.allows(UnitId(30), UnitId(30), DepartmentId(1)));
        assert!(!v.allows(UnitId(31), UnitId(31), DepartmentId(1)));
        let s = actor(1, None, &[Role::Supervisor]).visibility(vec![]);
        assert_eq!(s, Visibility::All);
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("mayor".parse::<Role>().is_err());
        assert_eq!("village_station".parse(), Ok(UnitKind::VillageStation));
        assert!(UnitKind::TownshipCenter.may_contain(UnitKind::VillageStation));
        assert!(!UnitKind::VillageStation.may_contain(UnitKind::TownshipCenter));
    }
}
