//! Use cases of Liandong: each loads what it needs, asks the pure domain to decide, and saves
//! the outcome in one transaction. Authentication and scoping are checked here, once.

pub mod appeals;
pub mod appointments;
pub mod attendance;
pub mod auth;
pub mod calendar;
pub mod case_export;
pub mod cases;
pub mod catalog;
pub mod catalog_file;
pub mod certificates;
pub mod city;
pub mod consultations;
pub mod disclosure;
pub mod evaluation;
mod http_post;
pub mod monitoring;
pub mod notify;
pub mod online;
pub mod organization;
pub mod payments;
pub mod progress;
pub mod projects;
pub mod provider;
pub mod proxy;
pub mod queue;
pub mod ratings;
pub mod supervision;
pub mod video;
pub mod web_appeals;
pub mod web_queries;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use liandong_domain::calendar::WorkingCalendar;
use liandong_domain::case::{WarningRules, WorkflowError};
use liandong_domain::catalog::ServiceItem;
use liandong_domain::organization::{ItemId, Role};
use liandong_store::{Store, StoreError};

pub use auth::Session;

/// Where the current time comes from: the system, or a test's hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests and for seeding history.
#[derive(Clone)]
pub struct FixedClock(Arc<RwLock<DateTime<Utc>>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock(Arc::new(RwLock::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut now) = self.0.write() {
            *now = at;
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut now) = self.0.write() {
            *now += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .read()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

/// A field that failed validation, with messages in both languages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// A field error from an error whose Display is "中文 / English".
    pub fn from_bilingual(field: impl Into<String>, error: &impl std::fmt::Display) -> FieldError {
        let text = error.to_string();
        let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
        FieldError::new(field, zh, en)
    }
}

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("未登录或登录已过期 / not signed in, or the sign-in expired")]
    Unauthenticated,
    #[error("用户名或密码错误 / wrong username or password")]
    BadCredentials,
    #[error(
        "登录失败次数过多，请{minutes}分钟后再试或联系管理员 / too many failed sign-ins: try again in {minutes} minutes or ask an administrator"
    )]
    TooManyAttempts { minutes: i64 },
    #[error(
        "查询失败次数过多，请{minutes}分钟后再试，或持身份证件到窗口查询 / too many failed lookups of this case: try again in {minutes} minutes, or ask at a window with your ID"
    )]
    TooManyLookups { minutes: i64 },
    #[error("无权进行此操作：需要{} / not allowed: needs the role `{role}`", role.name_zh())]
    RoleRequired { role: Role },
    /// Not allowed, and why: the text is "中文 / English" like every message.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(&'static str),
    #[error(
        "记录已被他人修改（所依据的版本{stale}已过期），请刷新后重试 / the record was changed by someone else (version {stale} is stale); reload and retry"
    )]
    Conflict { stale: i64 },
    #[error("{0}")]
    Duplicate(String),
    #[error(
        "同一幂等键已用于不同的请求 / the Idempotency-Key was already used for a different request"
    )]
    IdempotencyMismatch,
    #[error("输入有误 / invalid input")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Appeal(#[from] liandong_domain::appeal::AppealError),
    #[error(transparent)]
    Proxy(#[from] liandong_domain::proxy::ProxyError),
    #[error(transparent)]
    Queue(#[from] liandong_domain::queue::QueueError),
    #[error(transparent)]
    Appointment(#[from] liandong_domain::appointment::AppointmentError),
    #[error(transparent)]
    Supervision(#[from] liandong_domain::supervision::SupervisionError),
    /// A consultation action the state does not allow (texts become `Invalid`).
    #[error(transparent)]
    Consultation(liandong_domain::consultation::ConsultationError),
    /// A duty action the window's state, the actor or the data do not allow.
    #[error(transparent)]
    Attendance(#[from] liandong_domain::attendance::AttendanceError),
    /// Sign-in codes asked for too often (wrong or expired codes become `Invalid`).
    #[error(transparent)]
    SignIn(liandong_domain::online::SignInError),
    /// A rating or rectification step the state does not allow (texts become `Invalid`).
    #[error(transparent)]
    Rating(liandong_domain::rating::RatingError),
    #[error("服务暂时不可用 / service unavailable: {0}")]
    Storage(StoreError),
    /// A push to the city from a district not registered, or not signed by it.
    #[error(transparent)]
    CityAuth(city::CityAuthError),
    /// A push whose batch the city does not take (nothing of it is applied).
    #[error(transparent)]
    CityBatch(liandong_domain::city::BatchError),
}

impl AppError {
    pub fn invalid(
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, zh, en)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { expected } => AppError::Conflict { stale: expected },
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Duplicate(what) => {
                AppError::Duplicate(format!("{what}已存在 / {what} already exists"))
            }
            // A reference the checks before the write missed is still the caller's mistake,
            // not an outage.
            e if e.is_missing_reference() => AppError::NotFound("引用的记录 referenced record"),
            other => AppError::Storage(other),
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// What every use case shares: the store, the calendar, the rules and the clock.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    calendar: Arc<RwLock<Arc<WorkingCalendar>>>,
    pub warning_rules: WarningRules,
    clock: Arc<dyn Clock>,
    /// How long a sign-in token lasts.
    pub token_lifetime: chrono::Duration,
    /// Failed sign-ins to one account within `lockout_window` that lock it for that window.
    pub lockout_failures: i64,
    pub lockout_window: chrono::Duration,
    /// Recorded item versions never change, so each is read from the database once.
    item_versions: Arc<RwLock<HashMap<(ItemId, u32), ServiceItem>>>,
    /// Working days each leg of a proxied application may take, up and down.
    pub proxy_limits: liandong_domain::proxy::LegLimits,
    /// SMS notifications: the delivery-report secret and the retry schedule.
    pub notify: notify::NotifyConfig,
    /// What counts as an irregularity (预警纠错), and a supervision notice's terms.
    pub supervision_rules: liandong_domain::supervision::SupervisionRules,
    /// The performance evaluation's formula (绩效评估).
    pub evaluation_rules: liandong_domain::evaluation::EvaluationRules,
    /// Ratings (好差评): how long to rate, and the rectification's working days.
    pub rating_rules: liandong_domain::rating::RatingRules,
    /// The district's certificate signing key and font; None: no certificates are issued.
    pub certificates: Option<Arc<certificates::CertificateIssuer>>,
    /// The online payment provider's merchant account; None: its callbacks are not taken.
    pub payment_merchant: Option<liandong_domain::payment::Merchant>,
    /// The online payment provider orders are opened at; None: no online payment.
    pub payment_provider: Option<provider::ProviderConfig>,
    /// Applicants' sign-in codes online: how long, how often, how many tries.
    pub sign_in_rules: liandong_domain::online::SignInRules,
    /// Online consultation: the working days to answer and the texts' limits.
    pub consultation_rules: liandong_domain::consultation::ConsultationRules,
    /// When certificate holders are reminded to renew (行政许可法 Art 50).
    pub renewal_rules: liandong_domain::certificate::RenewalRules,
    /// Window duty and attendance (窗口出勤): graces, thresholds, leave recording.
    pub attendance_rules: liandong_domain::attendance::AttendanceRules,
    /// Video monitoring: the probe's thresholds, timeout and limits.
    pub video: video::VideoConfig,
    /// Appointments at the halls (预约取号): slots, places, check-in, no-shows.
    pub appointment_rules: liandong_domain::appointment::AppointmentRules,
}

impl App {
    /// Builds the app over `store`, with the shipped calendar plus every notice loaded into the
    /// database.
    pub async fn new(store: Store, clock: Arc<dyn Clock>) -> Result<App> {
        let mut calendar = WorkingCalendar::shipped();
        for notice in store.holiday_notices().await? {
            calendar
                .load_notice(notice)
                .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        }
        Ok(App {
            store,
            calendar: Arc::new(RwLock::new(Arc::new(calendar))),
            warning_rules: WarningRules::default(),
            clock,
            token_lifetime: chrono::Duration::hours(12),
            lockout_failures: 5,
            lockout_window: chrono::Duration::minutes(15),
            item_versions: Arc::default(),
            proxy_limits: liandong_domain::proxy::LegLimits::default(),
            notify: notify::NotifyConfig::default(),
            supervision_rules: liandong_domain::supervision::SupervisionRules::default(),
            evaluation_rules: liandong_domain::evaluation::EvaluationRules::default(),
            rating_rules: liandong_domain::rating::RatingRules::default(),
            certificates: None,
            payment_merchant: None,
            payment_provider: None,
            sign_in_rules: liandong_domain::online::SignInRules::default(),
            appointment_rules: liandong_domain::appointment::AppointmentRules::default(),
            consultation_rules: liandong_domain::consultation::ConsultationRules::default(),
            renewal_rules: liandong_domain::certificate::RenewalRules::default(),
            attendance_rules: liandong_domain::attendance::AttendanceRules::default(),
            video: video::VideoConfig::default(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The calendar in force: a shared snapshot, replaced whole when a notice is loaded.
    pub fn calendar(&self) -> Arc<WorkingCalendar> {
        match self.calendar.read() {
            Ok(c) => c.clone(),
            Err(e) => e.into_inner().clone(),
        }
    }

    /// One recorded version of an item's definition.
    pub async fn item_version(&self, item: ItemId, version: u32) -> Result<ServiceItem> {
        let cached = self
            .item_versions
            .read()
            .ok()
            .and_then(|c| c.get(&(item, version)).cloned());
        if let Some(definition) = cached {
            return Ok(definition);
        }
        let definition = self.store.item_version(item, version).await?;
        if let Ok(mut cache) = self.item_versions.write() {
            cache.insert((item, version), definition.clone());
        }
        Ok(definition)
    }

    fn replace_calendar(&self, calendar: WorkingCalendar) {
        match self.calendar.write() {
            Ok(mut c) => *c = Arc::new(calendar),
            Err(e) => *e.into_inner() = Arc::new(calendar),
        }
    }
}
