//! Configuration: command-line flags, then `LIANDONG_*` environment variables, then the
//! configuration file (`--config`, `LIANDONG_CONFIG`, or `liandong.toml` if present), then
//! defaults. See docs/configuration.md.

use liandong_domain::certificate::{RENEWAL_NOTICE_DAYS, RenewalRules};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// The configuration file's keys; every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    /// Hours a staff sign-in token lasts.
    pub token_lifetime_hours: Option<i64>,
    /// Yellow warning once this share of the limit is used (percent).
    pub yellow_used_percent: Option<u32>,
    /// Yellow warning once this many working days or fewer are left.
    pub yellow_days_left: Option<u32>,
    /// Failed sign-ins within `lockout_minutes` that lock an account for that long.
    pub lockout_failures: Option<i64>,
    pub lockout_minutes: Option<i64>,
    /// Kannel's sendsms URL, `http://HOST:PORT/cgi-bin/sendsms`; without it no SMS is sent.
    pub sms_gateway_url: Option<String>,
    pub sms_username: Option<String>,
    pub sms_password: Option<String>,
    /// The sender number passed as `from`.
    pub sms_from: Option<String>,
    /// How Kannel reaches this server for delivery reports, `http://HOST:PORT`.
    pub sms_dlr_base_url: Option<String>,
    /// The secret in the delivery-report URL (default: derived from `sms_password`).
    pub sms_dlr_token: Option<String>,
    /// The district's certificate signing key: 64 hexadecimal digits (a 32-byte ed25519
    /// seed). Created on first start if missing. Keep it secret and backed up.
    pub certificate_key_file: Option<String>,
    /// The CJK font certificates are printed in (TrueType or collection, face 0).
    pub certificate_font: Option<String>,
    /// The address the public reaches this server at, for the certificates' QR codes
    /// (default: the address it listens on).
    pub public_url: Option<String>,
    /// The merchant account at the online payment provider; without it the provider's
    /// callbacks are not taken (docs/design/payment.md).
    pub payment_merchant_id: Option<String>,
    /// The secret shared with the provider (at least 16 bytes).
    pub payment_secret: Option<String>,
    /// The provider's address, `http://HOST:PORT`, where orders are opened; without it
    /// applicants pay at the fee window only.
    pub payment_provider_url: Option<String>,
    /// Seconds between two probes of every camera's snapshot (视频监控); 0 turns the server's
    /// probe off (for a timer running `liandong video probe`).
    pub video_probe_interval_seconds: Option<u64>,
    /// Days before a certificate's last day its holder is reminded to renew (行政许可法
    /// Art 50 asks for the application 30 days before).
    pub renewal_reminder_days: Option<u32>,
    /// `district` (the default) or `city`: what `serve` runs (docs/city-link.md).
    pub role: Option<String>,
    /// The city link, district side: where the city's node is (`http://HOST:PORT`); without
    /// it nothing is pushed and records wait in the outbox.
    pub city_url: Option<String>,
    /// This district's code as registered at the city.
    pub district_code: Option<String>,
    /// The secret shared with the city (at least 16 bytes).
    pub city_secret: Option<String>,
    /// Seconds between two pushes when all went well, and the first wait after a failure.
    pub city_push_interval_seconds: Option<u64>,
    /// The longest wait between two attempts while the city cannot be reached.
    pub city_push_max_backoff_seconds: Option<u64>,
    /// Records per batch (at most 500).
    pub city_batch_size: Option<usize>,
}

/// What the server is: a district's platform, or the city's node receiving districts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    District,
    City,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s.trim() {
            "district" => Ok(Role::District),
            "city" => Ok(Role::City),
            other => Err(format!(
                "角色应为 district 或 city / the role is `district` or `city`, not `{other}`"
            )),
        }
    }
}

/// The city link of a district, when configured.
#[derive(Debug, Clone)]
pub struct CityLinkSettings {
    pub link: liandong_app::city::CityLinkConfig,
    pub every: std::time::Duration,
    pub max_backoff: std::time::Duration,
}

/// Electronic certificates: the key file, the font and the public address.
#[derive(Debug, Clone)]
pub struct CertificateSettings {
    pub key_file: PathBuf,
    pub font: PathBuf,
    pub public_url: Option<String>,
}

pub const DEFAULT_CERTIFICATE_KEY_FILE: &str = "liandong-certificate.key";
pub const DEFAULT_CERTIFICATE_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// The SMS gateway, when one is configured.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub gateway_url: String,
    pub username: String,
    pub password: String,
    pub from: Option<String>,
    /// None: the address the server is bound to (Kannel usually runs beside it).
    pub dlr_base_url: Option<String>,
    pub dlr_token: String,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "sqlite:liandong.db";

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub database_url: String,
    pub token_lifetime_hours: i64,
    pub yellow_used_percent: u32,
    pub yellow_days_left: u32,
    pub lockout_failures: i64,
    pub lockout_minutes: i64,
    pub sms: Option<SmsSettings>,
    pub certificate: CertificateSettings,
    /// The payment provider's merchant id and shared secret, when configured.
    pub payment: Option<(String, String)>,
    pub payment_provider_url: Option<String>,
    /// Seconds between the server's camera probes; 0: off.
    pub video_probe_interval_seconds: u64,
    /// Days before a certificate's last day its holder is reminded to renew.
    pub renewal_reminder_days: u32,
    /// The role as the file says (a flag may override it); None: district.
    pub role: Option<String>,
    /// The district's link to the city; None: not configured.
    pub city: Option<CityLinkSettings>,
    /// What is missing for the city link when part of it is configured.
    pub city_problem: Option<String>,
}

/// The server probes every camera this often by default: an outage (3 failed probes in a
/// row) is found within 10 to 15 minutes.
pub const DEFAULT_VIDEO_PROBE_SECONDS: u64 = 300;

/// Where the signing key lives by default: beside an SQLite database (its data directory),
/// else `liandong-certificate.key` in the working directory.
fn default_key_file(database_url: &str) -> PathBuf {
    match database_url.strip_prefix("sqlite:") {
        Some(path) if !path.is_empty() && !path.starts_with(':') => {
            PathBuf::from(format!("{}.certificate.key", path.trim_start_matches("//")))
        }
        _ => PathBuf::from(DEFAULT_CERTIFICATE_KEY_FILE),
    }
}

impl FileConfig {
    /// Reads the file named, or `liandong.toml` in the working directory if it exists.
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let default = PathBuf::from("liandong.toml");
                if !default.exists() {
                    return Ok(FileConfig::default());
                }
                default
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("configuration file {} is not valid", path.display()))
    }

    /// Settles every setting: `listen` and `database` are what flags or environment gave.
    pub fn settle(self, listen: Option<String>, database: Option<String>) -> Settings {
        let listen = listen
            .or(self.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let sms = self.sms_gateway_url.map(|gateway_url| {
            let password = self.sms_password.unwrap_or_default();
            SmsSettings {
                gateway_url,
                username: self.sms_username.unwrap_or_default(),
                dlr_token: self
                    .sms_dlr_token
                    .unwrap_or_else(|| liandong_app::notify::derived_dlr_token(&password)),
                password,
                from: self.sms_from,
                dlr_base_url: self.sms_dlr_base_url,
            }
        });
        let (city, city_problem) = city_link(
            self.city_url,
            self.district_code,
            self.city_secret,
            self.city_push_interval_seconds,
            self.city_push_max_backoff_seconds,
            self.city_batch_size,
        );
        let database_url = database
            .or(self.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE.into());
        Settings {
            listen,
            database_url: database_url.clone(),
            token_lifetime_hours: self.token_lifetime_hours.unwrap_or(12).clamp(1, 24 * 30),
            yellow_used_percent: self.yellow_used_percent.unwrap_or(80).clamp(1, 100),
            yellow_days_left: self.yellow_days_left.unwrap_or(1),
            lockout_failures: self.lockout_failures.unwrap_or(5).clamp(1, 1000),
            lockout_minutes: self.lockout_minutes.unwrap_or(15).clamp(1, 24 * 60),
            sms,
            payment: self.payment_merchant_id.zip(self.payment_secret),
            payment_provider_url: self.payment_provider_url,
            video_probe_interval_seconds: match self
                .video_probe_interval_seconds
                .unwrap_or(DEFAULT_VIDEO_PROBE_SECONDS)
            {
                0 => 0,
                // Not more often than every half minute: each probe fetches every camera.
                n => n.clamp(30, 24 * 3600),
            },
            renewal_reminder_days: self
                .renewal_reminder_days
                .unwrap_or(RenewalRules::default().remind_days_before_expiry)
                .clamp(RENEWAL_NOTICE_DAYS, 366),
            role: self.role,
            city,
            city_problem,
            certificate: CertificateSettings {
                key_file: std::env::var("LIANDONG_CERTIFICATE_KEY_FILE")
                    .ok()
                    .or(self.certificate_key_file)
                    .map_or_else(|| default_key_file(&database_url), PathBuf::from),
                font: PathBuf::from(
                    self.certificate_font
                        .unwrap_or_else(|| DEFAULT_CERTIFICATE_FONT.into()),
                ),
                public_url: self.public_url,
            },
        }
    }
}

/// Settles the city link: all of URL, code and secret, or none (then a problem if some).
fn city_link(
    url: Option<String>,
    code: Option<String>,
    secret: Option<String>,
    every: Option<u64>,
    max_backoff: Option<u64>,
    batch: Option<usize>,
) -> (Option<CityLinkSettings>, Option<String>) {
    match (url, code, secret) {
        (None, None, None) => (None, None),
        (Some(city_url), Some(district), Some(secret)) => {
            let every = every.unwrap_or(DEFAULT_CITY_PUSH_SECONDS).clamp(1, 24 * 3600);
            (
                Some(CityLinkSettings {
                    link: liandong_app::city::CityLinkConfig {
                        city_url,
                        district,
                        secret,
                        batch_size: batch.unwrap_or(200).clamp(1, 500),
                        timeout: std::time::Duration::from_secs(30),
                    },
                    every: std::time::Duration::from_secs(every),
                    max_backoff: std::time::Duration::from_secs(
                        max_backoff.unwrap_or(600).clamp(every, 24 * 3600),
                    ),
                }),
                None,
            )
        }
        _ => (
            None,
            Some(
                "市区对接需同时配置 city_url、district_code 和 city_secret / the city link needs all of city_url, district_code and city_secret"
                    .into(),
            ),
        ),
    }
}

/// Seconds between two pushes to the city by default.
pub const DEFAULT_CITY_PUSH_SECONDS: u64 = 30;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\nyellow_days_left = 2\n").unwrap();
        let s = file.settle(Some("127.0.0.1:1".into()), None);
        assert_eq!(s.listen, "127.0.0.1:1");
        assert_eq!(s.database_url, DEFAULT_DATABASE);
        assert_eq!(s.yellow_days_left, 2);
        assert!(
            toml::from_str::<FileConfig>("lisen = 1").is_err(),
            "a misspelt key is an error"
        );
        assert!(s.sms.is_none(), "no gateway unless configured");
        assert_eq!(s.video_probe_interval_seconds, DEFAULT_VIDEO_PROBE_SECONDS);
        assert!(s.city.is_none() && s.city_problem.is_none(), "no city link");
    }

    #[test]
    fn the_city_link_needs_its_three_keys() {
        let settle = |text: &str| {
            toml::from_str::<FileConfig>(text)
                .unwrap()
                .settle(None, None)
        };
        let s = settle(
            "city_url = \"http://127.0.0.1:9\"\ndistrict_code = \"500112\"\ncity_secret = \"0123456789abcdef\"\ncity_push_interval_seconds = 0\n",
        );
        let city = s.city.unwrap();
        assert_eq!(city.link.district, "500112");
        assert_eq!(city.every.as_secs(), 1, "at least a second apart");
        assert_eq!(city.max_backoff.as_secs(), 600);
        let s = settle("city_url = \"http://127.0.0.1:9\"\n");
        assert!(s.city.is_none());
        assert!(s.city_problem.unwrap().contains("district_code"));
        assert_eq!("city".parse::<Role>(), Ok(Role::City));
        assert!("county".parse::<Role>().is_err());
    }

    #[test]
    fn the_camera_probe_runs_every_half_minute_at_most_or_not_at_all() {
        let every = |text: &str| {
            toml::from_str::<FileConfig>(text)
                .unwrap()
                .settle(None, None)
                .video_probe_interval_seconds
        };
        assert_eq!(every("video_probe_interval_seconds = 60"), 60);
        assert_eq!(every("video_probe_interval_seconds = 5"), 30);
        assert_eq!(every("video_probe_interval_seconds = 0"), 0);
        let renewal = |text: &str| {
            toml::from_str::<FileConfig>(text)
                .unwrap()
                .settle(None, None)
                .renewal_reminder_days
        };
        assert_eq!(renewal(""), 90);
        assert_eq!(renewal("renewal_reminder_days = 60"), 60);
        // Never later than the law's own 30 days.
        assert_eq!(renewal("renewal_reminder_days = 7"), 30);
    }

    #[test]
    fn an_sms_gateway_gets_a_report_url_and_a_stable_secret() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\nsms_gateway_url = \"http://127.0.0.1:13013/cgi-bin/sendsms\"\nsms_username = \"u\"\nsms_password = \"p\"\n",
        )
        .unwrap();
        let sms = file.settle(None, None).sms.unwrap();
        assert_eq!(
            sms.dlr_base_url, None,
            "the bound address, known when serving"
        );
        assert_eq!(sms.dlr_token, liandong_app::notify::derived_dlr_token("p"));
        assert_ne!(sms.dlr_token, "p");
    }
}
