//! The city link (市区两级对接, docs/city-link.md): the district pushes its case events and
//! findings to the city in signed batches, in the order written, until the city has them;
//! the city checks each batch, keeps it once and counts it, and shows the city's totals.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::case::deadline::level_by_due;
use liandong_domain::city::{
    BATCHES_PATH, Batch, BatchError, CityCounts, FORMAT, MAX_RECORDS, MIN_SECRET_BYTES, Record,
    SignatureError, retry_delay_seconds, sign, validate, verify,
};
use liandong_domain::organization::{Role, UnitKind};
use liandong_store::{BatchReceipt, CityDistrict, NewStaff, NewUnit};
use serde::{Deserialize, Serialize};

use crate::monitoring::LevelCounts;
use crate::{App, AppError, Result, Session};

/// Where this district pushes to and how it signs.
#[derive(Debug, Clone)]
pub struct CityLinkConfig {
    /// `http://HOST:PORT` of the city's node.
    pub city_url: String,
    /// This district's code, as registered at the city.
    pub district: String,
    pub secret: String,
    /// Records per batch (at most [`MAX_RECORDS`]).
    pub batch_size: usize,
    /// Connect, write and read timeout of each request.
    pub timeout: Duration,
}

/// Why a push stopped.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("市级地址应为 http://主机:端口 / the city's address must be http://HOST:PORT, not {0}")]
    BadUrl(String),
    #[error("无法连接市级平台 / cannot reach the city: {0}")]
    Unreachable(String),
    #[error("市级平台拒绝了批次 / the city refused the batch: {0}")]
    Refused(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What one push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    pub batches: u64,
    /// Records the city took for the first time, and records it already held.
    pub applied: u64,
    pub replayed: u64,
    /// Records still waiting (0 when the push emptied the queue).
    pub pending: i64,
}

/// The city's answer to a batch.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAnswer {
    pub applied: u64,
    pub replayed: u64,
    pub last_record_id: i64,
}

impl From<BatchReceipt> for BatchAnswer {
    fn from(r: BatchReceipt) -> Self {
        BatchAnswer {
            applied: r.applied,
            replayed: r.replayed,
            last_record_id: r.last_record_id,
        }
    }
}

/// Why the city did not take a push as coming from the district it names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CityAuthError {
    #[error("未登记的区县“{0}” / unknown district `{0}`")]
    UnknownDistrict(String),
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// The signature headers of a push, as received.
#[derive(Debug, Clone, Default)]
pub struct PushHeaders {
    pub district: Option<String>,
    pub timestamp: Option<String>,
    pub signature: Option<String>,
}

/// One district's line of the city's overview.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistrictTotals {
    pub code: String,
    pub name: String,
    pub totals: CityCounts,
    /// Open cases by the level of their due time, now.
    pub open: LevelCounts,
    /// Irregularities whose notice is not concluded.
    pub open_findings: i64,
    pub last_batch_at: Option<DateTime<Utc>>,
    pub last_record_id: Option<i64>,
}

/// The city's overview: each district and their sum.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CityOverview {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: DateTime<Utc>,
    pub districts: Vec<DistrictTotals>,
    pub city: DistrictTotals,
}

impl CityLinkConfig {
    fn authority(&self) -> std::result::Result<&str, PushError> {
        crate::http_post::authority(&self.city_url)
            .ok_or_else(|| PushError::BadUrl(self.city_url.clone()))
    }

    /// Posts one signed body; the city's status and body.
    async fn post(
        &self,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> std::result::Result<(u16, String), PushError> {
        let authority = self.authority()?;
        let timestamp = now.timestamp();
        let signature = sign(self.secret.as_bytes(), timestamp, body)
            .map_err(|e| PushError::Refused(e.to_string()))?;
        crate::http_post::post(
            authority,
            BATCHES_PATH,
            "application/json",
            &[
                (
                    liandong_domain::city::DISTRICT_HEADER,
                    self.district.clone(),
                ),
                (
                    liandong_domain::city::TIMESTAMP_HEADER,
                    timestamp.to_string(),
                ),
                (liandong_domain::city::SIGNATURE_HEADER, signature),
            ],
            body,
            self.timeout,
        )
        .await
        .map_err(PushError::Unreachable)
    }
}

impl App {
    /// Sends what waits for the city, batch after batch in the order written, until nothing
    /// waits or the city refuses or cannot be reached. A batch the city answered for is
    /// forgotten here; one without an answer is sent again next time (the city keeps each
    /// record once).
    pub async fn push_to_city(
        &self,
        link: &CityLinkConfig,
    ) -> std::result::Result<PushReport, PushError> {
        let mut report = PushReport::default();
        let size = i64::try_from(link.batch_size.clamp(1, MAX_RECORDS)).unwrap_or(1);
        loop {
            let records = self
                .store
                .city_pending(size)
                .await
                .map_err(AppError::from)?;
            if records.is_empty() {
                break;
            }
            let ids: Vec<i64> = records.iter().map(Record::id).collect();
            let batch = Batch {
                format: FORMAT.into(),
                district: link.district.clone(),
                sent_at: self.now(),
                records,
            };
            let body = serde_json::to_vec(&batch).map_err(|e| PushError::Refused(e.to_string()))?;
            let (status, answer) = link.post(&body, self.now()).await?;
            if status != 200 {
                return Err(PushError::Refused(format!(
                    "{status} {}",
                    answer.chars().take(300).collect::<String>()
                )));
            }
            let answer: BatchAnswer = serde_json::from_str(&answer)
                .map_err(|e| PushError::Refused(format!("{status} {e}")))?;
            self.store
                .city_acknowledged(&ids)
                .await
                .map_err(AppError::from)?;
            report.batches += 1;
            report.applied += answer.applied;
            report.replayed += answer.replayed;
        }
        report.pending = self
            .store
            .city_pending_count()
            .await
            .map_err(AppError::from)?;
        Ok(report)
    }

    /// How many records wait for the city.
    pub async fn city_pending(&self) -> Result<i64> {
        Ok(self.store.city_pending_count().await?)
    }

    /// Registers (or re-registers with a new name and secret) a district at the city.
    pub async fn register_city_district(&self, code: &str, name: &str, secret: &str) -> Result<()> {
        let code = code.trim();
        if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::invalid(
                "code",
                "区县代码应为1至32位字母或数字",
                "the district code is 1 to 32 letters or digits",
            ));
        }
        if name.trim().is_empty() {
            return Err(AppError::invalid(
                "name",
                "名称不能为空",
                "the name is required",
            ));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AppError::invalid(
                "secret",
                format!("共享密钥至少{MIN_SECRET_BYTES}字节"),
                format!("the shared secret needs at least {MIN_SECRET_BYTES} bytes"),
            ));
        }
        self.store
            .register_city_district(code, name.trim(), secret, self.now())
            .await?;
        Ok(())
    }

    pub async fn city_districts(&self) -> Result<Vec<CityDistrict>> {
        Ok(self.store.city_districts().await?)
    }

    /// Takes a district's push: the district and signature first (a wrong one learns nothing
    /// of the batch), then the JSON, then the batch's own checks, then the store's order per
    /// case — all of the batch or none of it.
    pub async fn receive_city_batch(
        &self,
        headers: &PushHeaders,
        body: &[u8],
    ) -> Result<BatchAnswer> {
        let (Some(district), Some(timestamp), Some(signature)) = (
            headers.district.as_deref(),
            headers.timestamp.as_deref(),
            headers.signature.as_deref(),
        ) else {
            return Err(AppError::CityAuth(SignatureError::Missing.into()));
        };
        let secret = self
            .store
            .city_district_secret(district)
            .await?
            .ok_or_else(|| AppError::CityAuth(CityAuthError::UnknownDistrict(district.into())))?;
        let timestamp: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| AppError::CityAuth(SignatureError::Mismatch.into()))?;
        verify(secret.as_bytes(), timestamp, body, signature, self.now())
            .map_err(|e| AppError::CityAuth(e.into()))?;
        let batch: Batch = serde_json::from_slice(body)
            .map_err(|e| AppError::CityBatch(BatchError::Malformed(e.to_string())))?;
        validate(&batch, district).map_err(AppError::CityBatch)?;
        match self
            .store
            .receive_city_batch(district, &batch.records, self.now())
            .await?
        {
            Ok(receipt) => Ok(receipt.into()),
            Err(e) => Err(AppError::CityBatch(e)),
        }
    }

    /// The city's overview over China dates `from..=to` (either end open): each district's
    /// totals, open cases by level now and open findings, and the city's sum. Supervisors and
    /// system administrators of the city node.
    pub async fn city_overview(
        &self,
        session: &Session,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<CityOverview> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        self.city_overview_unchecked(from, to).await
    }

    /// The overview without a session: for the command line and tests.
    pub async fn city_overview_unchecked(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<CityOverview> {
        let now = self.now();
        let calendar = self.calendar();
        let blank = |code: String, name: String| DistrictTotals {
            code,
            name,
            totals: CityCounts::default(),
            open: LevelCounts::default(),
            open_findings: 0,
            last_batch_at: None,
            last_record_id: None,
        };
        let mut districts: Vec<DistrictTotals> = self
            .store
            .city_districts()
            .await?
            .into_iter()
            .map(|d| DistrictTotals {
                last_batch_at: d.last_batch_at,
                last_record_id: d.last_record_id,
                ..blank(d.code, d.name)
            })
            .collect();
        let find = |districts: &mut Vec<DistrictTotals>, code: &str| {
            districts.iter().position(|d| d.code == code)
        };
        for (code, totals) in self.store.city_totals(from, to).await? {
            if let Some(i) = find(&mut districts, &code) {
                districts[i].totals = totals;
            }
        }
        for (code, due) in self.store.city_open_cases().await? {
            if let Some(i) = find(&mut districts, &code) {
                districts[i]
                    .open
                    .count(level_by_due(due, &calendar, &self.warning_rules, now));
            }
        }
        for (code, n) in self.store.city_open_findings().await? {
            if let Some(i) = find(&mut districts, &code) {
                districts[i].open_findings = n;
            }
        }
        let mut city = blank("city".into(), "全市 / city".into());
        for d in &districts {
            city.totals.add(&d.totals);
            city.open.green += d.open.green;
            city.open.yellow += d.open.yellow;
            city.open.red += d.open.red;
            city.open_findings += d.open_findings;
            city.last_batch_at = city.last_batch_at.max(d.last_batch_at);
        }
        Ok(CityOverview {
            from,
            to,
            as_of: now,
            districts,
            city,
        })
    }

    /// Creates an account of the city node (its supervisors and administrators), under the
    /// city's own unit, made on first use.
    pub async fn create_city_account(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        role: Role,
    ) -> Result<()> {
        if password.chars().count() < 8 {
            return Err(AppError::invalid(
                "password",
                "密码至少8个字符",
                "the password needs at least 8 characters",
            ));
        }
        let hash = crate::auth::hash_password(password)?;
        let units = self.store.units().await?;
        let unit = match units.iter().find(|u| u.code == CITY_UNIT_CODE) {
            Some(u) => u.id,
            None => {
                let mut tx = self.store.begin().await?;
                let id = tx
                    .insert_unit(&NewUnit {
                        code: CITY_UNIT_CODE.into(),
                        name: "市级电子监察 / city supervision".into(),
                        kind: UnitKind::DistrictHall,
                        parent_id: None,
                        address: String::new(),
                        phone: String::new(),
                    })
                    .await?;
                tx.commit().await?;
                id
            }
        };
        let mut tx = self.store.begin().await?;
        tx.insert_staff(
            &NewStaff {
                username: username.into(),
                display_name: display_name.into(),
                unit_id: unit,
                department_id: None,
                roles: vec![role],
                password_hash: hash,
                phone: String::new(),
            },
            self.now().timestamp_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The unit the city node's accounts belong to.
pub const CITY_UNIT_CODE: &str = "CITY";

/// Pushes every `every`, and after a failure waits `every` doubling up to `cap` before
/// trying again, until `stop` turns true. Each failure is logged once with the wait.
pub async fn push_every(
    app: App,
    link: CityLinkConfig,
    every: Duration,
    cap: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut failures: u32 = 0;
    loop {
        let wait = match app.push_to_city(&link).await {
            Ok(r) => {
                if failures > 0 || r.batches > 0 {
                    tracing::info!(
                        batches = r.batches,
                        applied = r.applied,
                        replayed = r.replayed,
                        "pushed to the city"
                    );
                }
                failures = 0;
                every
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = Duration::from_secs(retry_delay_seconds(
                    failures,
                    every.as_secs().max(1),
                    cap.as_secs().max(1),
                ));
                tracing::warn!(error = %e, failures, wait_seconds = wait.as_secs(), "push to the city failed");
                wait
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
