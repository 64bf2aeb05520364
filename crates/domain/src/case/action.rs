//! What staff ask of a case: the verbs of the glossary.

use serde::{Deserialize, Serialize};

use crate::catalog::StepKind;
use crate::organization::string_enum;

/// The procedures whose time is not counted in any limit (行政许可法 Art 45).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialProcedure {
    /// 听证
    Hearing,
    /// 招标
    Tender,
    /// 拍卖
    Auction,
    /// 检验
    Inspection,
    /// 检测
    Testing,
    /// 检疫
    Quarantine,
    /// 鉴定
    Appraisal,
    /// 专家评审
    ExpertReview,
}
string_enum!(SpecialProcedure {
    Hearing => "hearing",
    Tender => "tender",
    Auction => "auction",
    Inspection => "inspection",
    Testing => "testing",
    Quarantine => "quarantine",
    Appraisal => "appraisal",
    ExpertReview => "expert_review",
});

impl SpecialProcedure {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Hearing => "听证",
            Self::Tender => "招标",
            Self::Auction => "拍卖",
            Self::Inspection => "检验",
            Self::Testing => "检测",
            Self::Quarantine => "检疫",
            Self::Appraisal => "鉴定",
            Self::ExpertReview => "专家评审",
        }
    }
}

/// An action on an existing case, with what it needs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 受理
    Accept,
    /// 不予受理: Art 32 requires the reasons and the legal basis.
    RefuseIntake {
        reason: String,
        legal_basis: String,
    },
    /// 一次性告知: everything missing, at once.
    RequestSupplement {
        missing: Vec<String>,
    },
    /// The applicant supplied materials.
    Supplement {
        received: Vec<String>,
    },
    /// 承办 opinion.
    Handle {
        opinion: String,
    },
    /// 审核 opinion.
    Review {
        opinion: String,
    },
    /// 批准
    Approve {
        opinion: String,
    },
    /// 不予许可, with reasons and legal basis.
    Deny {
        reason: String,
        legal_basis: String,
    },
    /// 办结: the result delivered.
    Conclude {
        delivery: String,
    },
    /// 当场办结: accept, approve and conclude an on-the-spot item in one action.
    ConcludeOnTheSpot {
        delivery: String,
    },
    /// 退回 to an earlier step.
    Return {
        to: StepKind,
        reason: String,
    },
    /// 特别程序: stops the clock for its stated working days.
    StartSpecialProcedure {
        procedure: SpecialProcedure,
        stated_days: u32,
        reason: String,
    },
    EndSpecialProcedure {
        result: String,
    },
    /// 延期, granted by an approver.
    GrantExtension {
        days: u32,
        reason: String,
    },
    /// The applicant withdraws the application.
    Withdraw {
        reason: String,
    },
}

/// The name of an action without its data, for error messages and the "allowed now" list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Accept,
    RefuseIntake,
    RequestSupplement,
    Supplement,
    Handle,
    Review,
    Approve,
    Deny,
    Conclude,
    ConcludeOnTheSpot,
    Return,
    StartSpecialProcedure,
    EndSpecialProcedure,
    GrantExtension,
    Withdraw,
}
string_enum!(ActionName {
    Accept => "accept",
    RefuseIntake => "refuse_intake",
    RequestSupplement => "request_supplement",
    Supplement => "supplement",
    Handle => "handle",
    Review => "review",
    Approve => "approve",
    Deny => "deny",
    Conclude => "conclude",
    ConcludeOnTheSpot => "conclude_on_the_spot",
    Return => "return",
    StartSpecialProcedure => "start_special_procedure",
    EndSpecialProcedure => "end_special_procedure",
    GrantExtension => "grant_extension",
    Withdraw => "withdraw",
});

impl ActionName {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::RefuseIntake => "不予受理",
            Self::RequestSupplement => "一次性告知补正",
            Self::Supplement => "补正材料",
            Self::Handle => "承办",
            Self::Review => "审核",
            Self::Approve => "批准",
            Self::Deny => "不予许可",
            Self::Conclude => "办结",
            Self::ConcludeOnTheSpot => "当场办结",
            Self::Return => "退回",
            Self::StartSpecialProcedure => "启动特别程序",
            Self::EndSpecialProcedure => "结束特别程序",
            Self::GrantExtension => "批准延期",
            Self::Withdraw => "撤回申请",
        }
    }
}

impl Action {
    pub fn name(&self) -> ActionName {
        match self {
            Action::Accept => ActionName::Accept,
            Action::RefuseIntake { .. } => ActionName::RefuseIntake,
            Action::RequestSupplement { .. } => ActionName::RequestSupplement,
            Action::Supplement { .. } => ActionName::Supplement,
            Action::Handle { .. } => ActionName::Handle,
            Action::Review { .. } => ActionName::Review,
            Action::Approve { .. } => ActionName::Approve,
            Action::Deny { .. } => ActionName::Deny,
            Action::Conclude { .. } => ActionName::Conclude,
            Action::ConcludeOnTheSpot { .. } => ActionName::ConcludeOnTheSpot,
            Action::Return { .. } => ActionName::Return,
            Action::StartSpecialProcedure { .. } => ActionName::StartSpecialProcedure,
            Action::EndSpecialProcedure { .. } => ActionName::EndSpecialProcedure,
            Action::GrantExtension { .. } => ActionName::GrantExtension,
            Action::Withdraw { .. } => ActionName::Withdraw,
        }
    }
}
