//! Video monitoring (视频监控): the cameras over the halls, windows and centers.
//!
//! What is pure about it lives here: the GB/T 28181 device ID, the checks of a camera's
//! record, the health a camera is in after a run of probes (and when an outage opens a
//! supervision finding), which camera covered a window at an instant (cameras are moved and
//! retired, so their placements are dated), and at which window a case's event happened,
//! from the hall's queue tickets. Time is always a parameter; fetching a snapshot is the
//! app's business.
//!
//! # The device ID (GB/T 28181-2016, Annex D, coding rule A)
//!
//! Twenty decimal digits:
//!
//! | digits | part | checked here |
//! | --- | --- | --- |
//! | 1–8 | centre code (中心编码): province 1–2, city 3–4, district 5–6, grassroots unit 7–8, from the GB/T 2260 administrative division code; a centre above the grassroots fills the levels below it with 0 | the province is one of GB/T 2260's; no level is filled below an empty one |
//! | 9–10 | industry code (行业编码): 00–39 government organs (00–03 public security, 04–07 transport, 08 city management, 09 health and environment, 10 inspection and customs, 11 education), 40–79 enterprises and institutions, 80–89 built by residents, 90–99 other | any two digits; the group is named |
//! | 11–13 | type code (类型编码): 111–130 front-end main devices (DVR, encoder, NVR…), 131–199 front-end peripherals, **131 camera (摄像机), 132 IP camera (网络摄像机)**, 200–299 platform devices, 300–399 centre users, 400–499 terminal users, 500–999 other | 131 or 132: only a camera is registered as a camera (an NVR's channels carry camera codes too) |
//! | 14 | network flag (网络标识): 0–4 video surveillance private network, 5 public security network, 6 e-government network (政务网), 7 Internet, 8 social resources network, 9 reserved | 0–8 (9 is reserved) |
//! | 15–20 | serial (序号) | any six digits |
//!
//! The 2011 edition of the standard had no network flag (a seven-digit serial); an ID of
//! that edition with a 9 in position 14 is refused here, any other reads the same.
//!
//! # Health
//!
//! A probe fetches the camera's snapshot; the outcome is a success or a failure. The
//! consecutive outcomes move the camera through [`Health`] by [`observe`], with the
//! thresholds of [`HealthRules`]:
//!
//! | now | a success | a failure |
//! | --- | --- | --- |
//! | unknown, healthy, failing | healthy | failing once `failing_after` failures are in a row (unknown: at once); dead at `dead_after` in a row (the outage opens) |
//! | dead | recovering (healthy at once when `recovered_after` is 1) | dead |
//! | recovering | healthy once `recovered_after` successes are in a row (the outage ends) | dead (the same outage) |
//!
//! An outage starts with the first failure of the run that made the camera dead and ends
//! when it is healthy again; it raises one finding ([`outage_finding`]), whose dedup key
//! names the outage's first failure, however many probes see it dead.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::organization::{CaseId, StaffId, UnitId, WindowId, string_enum};
use crate::queue::Ticket;
use crate::supervision::FindingKind;

/// A registered camera.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CameraId(pub i64);

impl std::fmt::Display for CameraId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a camera's record, placement or ID was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    #[error("摄像机名称为1至60个字 / the camera's name is 1 to 60 characters")]
    Name,
    #[error(
        "国标编码应为20位数字，实为{found}位 / a GB/T 28181 device ID is 20 digits, not {found}"
    )]
    DeviceIdLength { found: usize },
    #[error(
        "国标编码第{position}位“{character}”不是数字 / the device ID's character {position} ('{character}') is not a digit"
    )]
    DeviceIdNotDigit { position: usize, character: char },
    #[error(
        "国标编码的省级编码{code}不是GB/T 2260的省级行政区划代码 / the device ID's province code {code} is not one of GB/T 2260"
    )]
    UnknownProvince { code: String },
    #[error(
        "国标编码的中心编码{code}在空级之下又有编码（非基层单位空余位应为0） / the device ID's centre code {code} fills a level below an empty one"
    )]
    CentreCodeGap { code: String },
    #[error(
        "国标编码的类型编码{code}（{group_zh}）不是摄像机，应为131（摄像机）或132（网络摄像机） / the device ID's type code {code} ({group_en}) is not a camera: 131 (camera) or 132 (IP camera)"
    )]
    NotACamera {
        code: u16,
        group_zh: &'static str,
        group_en: &'static str,
    },
    #[error("国标编码的网络标识9为预留值 / the device ID's network flag 9 is reserved")]
    ReservedNetwork,
    #[error("{zh} / {en}")]
    StreamUrl { zh: String, en: String },
    #[error("{zh} / {en}")]
    SnapshotUrl { zh: String, en: String },
    #[error("窗口不属于摄像机所在单位 / the window is not at the camera's unit")]
    WindowOfAnotherUnit,
    #[error(
        "该窗口已有摄像机（{camera}号）：请先移走或停用它 / the window has a camera already (no. {camera}): move or retire it first"
    )]
    WindowTaken { camera: CameraId },
    #[error("摄像机已停用 / the camera is retired")]
    Retired,
    #[error("新的安装时间须晚于当前安装的开始 / a new placement starts after the current one")]
    PlacementNotAfter,
}

impl VideoError {
    /// The field of the camera's form the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::DeviceIdLength { .. }
            | Self::DeviceIdNotDigit { .. }
            | Self::UnknownProvince { .. }
            | Self::CentreCodeGap { .. }
            | Self::NotACamera { .. }
            | Self::ReservedNetwork => "device_id",
            Self::StreamUrl { .. } => "stream_url",
            Self::SnapshotUrl { .. } => "snapshot_url",
            Self::WindowOfAnotherUnit | Self::WindowTaken { .. } => "window_id",
            Self::Retired | Self::PlacementNotAfter => "camera",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Device ID

/// Province-level codes of GB/T 2260 (the first two digits of every division code).
pub const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// What a device ID says the device is: a camera (131) or an IP camera (132).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraType {
    /// 131 摄像机
    Camera,
    /// 132 网络摄像机 (IPC)
    IpCamera,
}
string_enum!(CameraType {
    Camera => "camera",
    IpCamera => "ip_camera",
});

impl CameraType {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Camera => "摄像机",
            Self::IpCamera => "网络摄像机",
        }
    }
}

/// The group a type code falls in (GB/T 28181-2016 Annex D), in Chinese and English.
pub fn type_group(code: u16) -> (&'static str, &'static str) {
    match code {
        111..=130 => ("前端主设备", "a front-end main device"),
        131..=199 => ("前端外围设备", "a front-end peripheral"),
        200..=299 => ("平台设备", "a platform device"),
        300..=399 => ("中心用户", "a centre user"),
        400..=499 => ("终端用户", "a terminal user"),
        500..=999 => ("扩展类型", "an extension type"),
        _ => ("未定义", "undefined"),
    }
}

/// The group an industry code falls in (GB/T 28181-2016 Annex D), in Chinese and English.
pub fn industry_group(code: u8) -> (&'static str, &'static str) {
    match code {
        0..=39 => ("政府机关", "government organs"),
        40..=79 => ("企业/事业单位", "enterprises and institutions"),
        80..=89 => ("居民自建", "built by residents"),
        _ => ("其他主体", "others"),
    }
}

/// The network a network flag names (GB/T 28181-2016 Annex D), in Chinese and English.
pub fn network_name(flag: u8) -> (&'static str, &'static str) {
    match flag {
        0..=4 => ("监控报警专网", "video surveillance private network"),
        5 => ("公安信息网", "public security network"),
        6 => ("政务网", "e-government network"),
        7 => ("互联网", "Internet"),
        8 => ("社会资源接入网", "social resources network"),
        _ => ("预留", "reserved"),
    }
}

/// A camera's GB/T 28181 device ID (国标编码), checked (see the module documentation).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    /// Parses a device ID, surrounding whitespace trimmed.
    pub fn parse(text: &str) -> Result<DeviceId, VideoError> {
        let text = text.trim();
        let found = text.chars().count();
        if found != 20 {
            return Err(VideoError::DeviceIdLength { found });
        }
        if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(VideoError::DeviceIdNotDigit {
                position: i + 1,
                character: c,
            });
        }
        let id = DeviceId(text.to_owned());
        if !PROVINCES.iter().any(|(code, _)| *code == id.province()) {
            return Err(VideoError::UnknownProvince {
                code: id.province().to_owned(),
            });
        }
        let levels = [id.city(), id.district(), id.grassroots()];
        if levels
            .windows(2)
            .any(|pair| pair[0] == "00" && pair[1] != "00")
        {
            return Err(VideoError::CentreCodeGap {
                code: id.centre_code().to_owned(),
            });
        }
        let code = id.type_code();
        if id.camera_type().is_none() {
            let (group_zh, group_en) = type_group(code);
            return Err(VideoError::NotACamera {
                code,
                group_zh,
                group_en,
            });
        }
        if id.network() == 9 {
            return Err(VideoError::ReservedNetwork);
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn part(&self, from: usize, to: usize) -> &str {
        self.0.get(from..to).unwrap_or("")
    }

    fn number(&self, from: usize, to: usize) -> u16 {
        self.part(from, to).parse().unwrap_or(0)
    }

    /// Digits 1–8: the monitoring centre the camera belongs to.
    pub fn centre_code(&self) -> &str {
        self.part(0, 8)
    }

    pub fn province(&self) -> &str {
        self.part(0, 2)
    }

    pub fn city(&self) -> &str {
        self.part(2, 4)
    }

    pub fn district(&self) -> &str {
        self.part(4, 6)
    }

    /// Digits 7–8: the grassroots unit (基层接入单位).
    pub fn grassroots(&self) -> &str {
        self.part(6, 8)
    }

    /// The administrative division the centre code names: 2, 4 or 6 digits, as far as it
    /// is filled (`500112` for Yubei District, Chongqing).
    pub fn division(&self) -> &str {
        match (self.city(), self.district()) {
            ("00", _) => self.province(),
            (_, "00") => self.part(0, 4),
            _ => self.part(0, 6),
        }
    }

    /// Digits 9–10.
    pub fn industry(&self) -> u8 {
        u8::try_from(self.number(8, 10)).unwrap_or(0)
    }

    /// Digits 11–13.
    pub fn type_code(&self) -> u16 {
        self.number(10, 13)
    }

    /// Digit 14.
    pub fn network(&self) -> u8 {
        u8::try_from(self.number(13, 14)).unwrap_or(0)
    }

    /// Digits 15–20.
    pub fn serial(&self) -> &str {
        self.part(14, 20)
    }

    pub fn camera_type(&self) -> Option<CameraType> {
        match self.type_code() {
            131 => Some(CameraType::Camera),
            132 => Some(CameraType::IpCamera),
            _ => None,
        }
    }
}

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DeviceId {
    type Error = VideoError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DeviceId::parse(&value)
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> String {
        id.0
    }
}

impl std::str::FromStr for DeviceId {
    type Err = VideoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeviceId::parse(s)
    }
}

// ---------------------------------------------------------------------------------------
// Addresses

/// The schemes a camera's addresses use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
    Rtsp,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::Rtsp => "rtsp",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
            Self::Rtsp => 554,
        }
    }
}

/// The longest address kept.
pub const MAX_URL_CHARS: usize = 500;

/// A camera's address, parsed: the stream's (`rtsp://`, `http://`, `https://`) or the
/// snapshot's (`http://`, `https://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUrl {
    pub scheme: Scheme,
    /// A name or IPv4 address, or an IPv6 address in brackets (`[fd00::10]`).
    pub host: String,
    pub port: u16,
    /// The path and query, `/` at least; no fragment.
    pub target: String,
}

impl MediaUrl {
    /// Parses `text` as an address of one of `allowed` schemes. Refused: other schemes,
    /// credentials in the address (passwords would show on the pages and sit in the
    /// backups), a missing or malformed host, a port outside 1–65535, spaces or control
    /// characters, a fragment, more than [`MAX_URL_CHARS`] characters. The message is
    /// "中文 / English".
    pub fn parse(text: &str, allowed: &[Scheme]) -> Result<MediaUrl, (String, String)> {
        let text = text.trim();
        let schemes: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let schemes = schemes.join("://、") + "://";
        let refuse = |zh: &str, en: &str| Err((zh.to_owned(), en.to_owned()));
        if text.is_empty() {
            return refuse("请填写地址", "the address is required");
        }
        if text.chars().count() > MAX_URL_CHARS {
            return refuse(
                "地址不超过500个字符",
                "the address is at most 500 characters",
            );
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse("地址中不能有空格", "the address has no spaces");
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err((
                format!("地址应以{schemes}开头"),
                format!("the address starts with {}", schemes.replace('、', " or ")),
            ));
        };
        let Some(scheme) = allowed
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(scheme))
        else {
            return Err((
                format!("地址应以{schemes}开头"),
                format!("the address starts with {}", schemes.replace('、', " or ")),
            ));
        };
        if rest.contains('#') {
            return refuse("地址中不能有#片段", "the address has no #fragment");
        }
        let (authority, target) = match rest.find(['/', '?']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return refuse(
                "地址中不能含用户名和密码（会显示在页面上并写入备份）",
                "the address carries no user name or password (they would show on the pages and sit in the backups)",
            );
        }
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let Some((address, after)) = inner.split_once(']') else {
                return refuse("主机地址不正确", "the host is not valid");
            };
            if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                return refuse("主机地址不正确", "the host is not valid");
            }
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return refuse("主机地址不正确", "the host is not valid"),
            };
            (format!("[{address}]"), port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            let label_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            };
            if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
                return refuse("主机地址不正确", "the host is not valid");
            }
            (host.to_ascii_lowercase(), port)
        };
        let port = match port {
            None => scheme.default_port(),
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => n,
                _ => return refuse("端口应为1至65535", "the port is 1 to 65535"),
            },
        };
        let target = if target.is_empty() {
            "/".to_owned()
        } else if target.starts_with('?') {
            format!("/{target}")
        } else {
            target.to_owned()
        };
        Ok(MediaUrl {
            scheme,
            host,
            port,
            target,
        })
    }

    /// `host:port`, for connecting and for the Host header.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl std::fmt::Display for MediaUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.port == self.scheme.default_port() {
            write!(f, "{}://{}{}", self.scheme.as_str(), self.host, self.target)
        } else {
            write!(
                f,
                "{}://{}:{}{}",
                self.scheme.as_str(),
                self.host,
                self.port,
                self.target
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// The camera's record

/// The longest camera name.
pub const MAX_NAME_CHARS: usize = 60;

/// A camera as entered, before the checks.
#[derive(Debug, Clone)]
pub struct CameraDraft<'a> {
    pub name: &'a str,
    pub device_id: &'a str,
    pub stream_url: &'a str,
    pub snapshot_url: &'a str,
    pub unit: UnitId,
    /// The window it looks at, with the window's unit; None for a camera over the hall.
    pub window: Option<(WindowId, UnitId)>,
}

/// A camera's record, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCamera {
    pub name: String,
    pub device_id: DeviceId,
    pub stream_url: MediaUrl,
    pub snapshot_url: MediaUrl,
    pub unit: UnitId,
    pub window: Option<WindowId>,
}

/// Checks a camera's record; every problem at once.
pub fn check_camera(draft: &CameraDraft<'_>) -> Result<CheckedCamera, Vec<VideoError>> {
    let mut errors = Vec::new();
    let name = draft.name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        errors.push(VideoError::Name);
    }
    let device_id = DeviceId::parse(draft.device_id).map_err(|e| errors.push(e));
    let stream_url = MediaUrl::parse(
        draft.stream_url,
        &[Scheme::Rtsp, Scheme::Http, Scheme::Https],
    )
    .map_err(|(zh, en)| errors.push(VideoError::StreamUrl { zh, en }));
    let snapshot_url = MediaUrl::parse(draft.snapshot_url, &[Scheme::Http, Scheme::Https])
        .map_err(|(zh, en)| errors.push(VideoError::SnapshotUrl { zh, en }));
    if let Some((_, unit)) = draft.window
        && unit != draft.unit
    {
        errors.push(VideoError::WindowOfAnotherUnit);
    }
    match (device_id, stream_url, snapshot_url) {
        (Ok(device_id), Ok(stream_url), Ok(snapshot_url)) if errors.is_empty() => {
            Ok(CheckedCamera {
                name: name.to_owned(),
                device_id,
                stream_url,
                snapshot_url,
                unit: draft.unit,
                window: draft.window.map(|(w, _)| w),
            })
        }
        _ => Err(errors),
    }
}

// ---------------------------------------------------------------------------------------
// Placements over time

/// Where a camera was, and from when until when: `[from, until)`, `until` None while it is
/// still there. A move closes one placement and opens the next at the same instant; a
/// retirement closes the last.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub camera: CameraId,
    pub unit: UnitId,
    /// The window it looks at; None: the hall or center as a whole.
    pub window: Option<WindowId>,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl Placement {
    /// Whether the camera was here at `at`.
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// Places `camera` at `unit` (and `window`) from `at`: checks that no other camera watches
/// that window from then on, closes the camera's current placement (`current`) at `at`, and
/// returns the closed one (if any) and the new one. A window has one camera at a time, so
/// that "the window's camera at that instant" is one camera.
pub fn place(
    placements: &[Placement],
    current: Option<&Placement>,
    camera: CameraId,
    unit: UnitId,
    window: Option<WindowId>,
    at: DateTime<Utc>,
) -> Result<(Option<Placement>, Placement), VideoError> {
    if let Some(w) = window
        && let Some(other) = placements
            .iter()
            .find(|p| p.camera != camera && p.window == Some(w) && p.until.is_none_or(|u| u > at))
    {
        return Err(VideoError::WindowTaken {
            camera: other.camera,
        });
    }
    let closed = match current {
        Some(c) if c.until.is_some() => return Err(VideoError::Retired),
        Some(c) if c.from >= at => return Err(VideoError::PlacementNotAfter),
        Some(c) => Some(Placement {
            until: Some(at),
            ..c.clone()
        }),
        None => None,
    };
    Ok((
        closed,
        Placement {
            camera,
            unit,
            window,
            from: at,
            until: None,
        },
    ))
}

/// The cameras that covered a place at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// The camera on the window, when the window is known and had one.
    pub window: Option<Placement>,
    /// The cameras over the unit as a whole (no window of their own), by camera.
    pub unit: Vec<Placement>,
}

impl Coverage {
    pub fn is_empty(&self) -> bool {
        self.window.is_none() && self.unit.is_empty()
    }
}

/// Which cameras covered `window` (if known) and `unit` at `at`, from every placement.
pub fn covering(
    placements: &[Placement],
    unit: UnitId,
    window: Option<WindowId>,
    at: DateTime<Utc>,
) -> Coverage {
    let mut unit_cameras: Vec<Placement> = placements
        .iter()
        .filter(|p| p.unit == unit && p.window.is_none() && p.covers(at))
        .cloned()
        .collect();
    unit_cameras.sort_by_key(|p| p.camera);
    Coverage {
        window: window.and_then(|w| {
            placements
                .iter()
                .filter(|p| p.window == Some(w) && p.covers(at))
                .max_by_key(|p| p.from)
                .cloned()
        }),
        unit: unit_cameras,
    }
}

// ---------------------------------------------------------------------------------------
// The window a case's event happened at

/// How the window of an event was known.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowBasis {
    /// A queue ticket finished with this case: the applicant was served at its window.
    CaseTicket,
    /// The acting clerk was serving a ticket at that window then (or had served their last
    /// ticket of the day there before).
    ClerkTicket,
}
string_enum!(WindowBasis {
    CaseTicket => "case_ticket",
    ClerkTicket => "clerk_ticket",
});

/// The window an event was at, how that is known, and when the visit ran if known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventWindow {
    pub window: WindowId,
    pub basis: WindowBasis,
    /// The ticket's call (or start) and finish, when the basis is the case's ticket.
    pub visit: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

fn served_from(t: &Ticket) -> Option<DateTime<Utc>> {
    t.called_at.or(t.started_at)
}

/// The window where an event of `case` by `actor` at `at` happened, from the tickets of
/// the unit's day: a ticket finished with the case (the one whose visit holds `at`, else
/// the nearest), else the acting clerk's ticket being served at `at`, else the clerk's last
/// ticket called before `at` that day. None when the tickets do not tell (no queue, a
/// back-office step).
pub fn window_at(
    tickets: &[Ticket],
    case: CaseId,
    actor: Option<StaffId>,
    at: DateTime<Utc>,
) -> Option<EventWindow> {
    let distance = |t: &Ticket| -> i64 {
        let from = served_from(t).unwrap_or(t.taken_at);
        let to = t.done_at.unwrap_or(from);
        if at < from {
            (from - at).num_milliseconds()
        } else if at > to {
            (at - to).num_milliseconds()
        } else {
            0
        }
    };
    if let Some(t) = tickets
        .iter()
        .filter(|t| t.case == Some(case) && t.window.is_some())
        .min_by_key(|t| distance(t))
    {
        return Some(EventWindow {
            window: t.window?,
            basis: WindowBasis::CaseTicket,
            visit: served_from(t).map(|from| (from, t.done_at)),
        });
    }
    let actor = actor?;
    let mine: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| t.clerk == Some(actor) && t.window.is_some())
        .filter(|t| served_from(t).is_some_and(|from| from <= at))
        .collect();
    let serving = mine
        .iter()
        .find(|t| t.done_at.is_none_or(|done| at <= done))
        .or_else(|| mine.iter().max_by_key(|t| served_from(t)))?;
    Some(EventWindow {
        window: serving.window?,
        basis: WindowBasis::ClerkTicket,
        visit: None,
    })
}

/// The period of footage to look at for an event at `at`: `margin` either side, widened to
/// the whole visit when it is known.
pub fn footage_period(
    at: DateTime<Utc>,
    margin: Duration,
    visit: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (mut from, mut until) = (at - margin, at + margin);
    if let Some((start, end)) = visit {
        from = from.min(start);
        until = until.max(end.unwrap_or(until));
    }
    (from, until)
}

// ---------------------------------------------------------------------------------------
// Health

/// A camera's health, from its recent probes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CameraHealth))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Never probed.
    Unknown,
    Healthy,
    /// Failing, not long enough to be dead.
    Failing,
    /// Out: an outage, a supervision finding.
    Dead,
    /// Answering again after an outage, not long enough to be trusted.
    Recovering,
}
string_enum!(Health {
    Unknown => "unknown",
    Healthy => "healthy",
    Failing => "failing",
    Dead => "dead",
    Recovering => "recovering",
});

impl Health {
    pub const ALL: [Health; 5] = [
        Health::Unknown,
        Health::Healthy,
        Health::Failing,
        Health::Dead,
        Health::Recovering,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Unknown => "未检测",
            Self::Healthy => "正常",
            Self::Failing => "异常",
            Self::Dead => "离线",
            Self::Recovering => "恢复中",
        }
    }
}

/// The thresholds of the health machine. Local practice, no rule in rules.md: configurable
/// defaults. Unknown keys are refused, like the rest of the configuration.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthRules {
    /// Consecutive failures that take a healthy camera to failing. Default 1: the first
    /// failed snapshot shows on the page.
    pub failing_after: u32,
    /// Consecutive failures that make a camera dead (an outage, a finding). Default 3: with
    /// the server's 5-minute probe an outage is reported within 10 to 15 minutes, and a
    /// single lost answer on a busy network raises nothing.
    pub dead_after: u32,
    /// Consecutive successes that make a dead camera healthy again (the outage ends).
    /// Default 2: a camera that answers once between failures is not yet back.
    pub recovered_after: u32,
}

impl Default for HealthRules {
    fn default() -> Self {
        HealthRules {
            failing_after: 1,
            dead_after: 3,
            recovered_after: 2,
        }
    }
}

impl HealthRules {
    /// The thresholds as applied: each at least 1, failing no later than dead.
    fn settled(self) -> HealthRules {
        let dead_after = self.dead_after.max(1);
        HealthRules {
            failing_after: self.failing_after.clamp(1, dead_after),
            dead_after,
            recovered_after: self.recovered_after.max(1),
        }
    }
}

/// Where a camera's health stands after its probes so far.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthState {
    pub health: Health,
    /// Failures in a row (0 after a success).
    pub failures: u32,
    /// Successes in a row (0 after a failure).
    pub successes: u32,
    /// The first failure of the current run of failures, kept through an outage until the
    /// camera is healthy again: the outage's identity.
    pub failing_since: Option<DateTime<Utc>>,
    /// Probes so far.
    pub probes: u64,
    pub last_probe_at: Option<DateTime<Utc>>,
    pub last_ok_at: Option<DateTime<Utc>>,
}

impl Default for HealthState {
    fn default() -> Self {
        HealthState {
            health: Health::Unknown,
            failures: 0,
            successes: 0,
            failing_since: None,
            probes: 0,
            last_probe_at: None,
            last_ok_at: None,
        }
    }
}

/// What one probe did to a camera's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub state: HealthState,
    /// The health before, when it changed.
    pub changed_from: Option<Health>,
    /// An outage began with this probe: its first failure (the finding's identity).
    pub outage_opened: Option<DateTime<Utc>>,
    /// An outage ended with this probe: its first failure.
    pub outage_closed: Option<DateTime<Utc>>,
}

/// The health after a probe at `at` that succeeded (`ok`) or failed.
pub fn observe(state: &HealthState, ok: bool, at: DateTime<Utc>, rules: &HealthRules) -> Observed {
    let rules = rules.settled();
    let mut next = state.clone();
    next.probes += 1;
    next.last_probe_at = Some(at);
    let mut outage_opened = None;
    let mut outage_closed = None;
    if ok {
        next.last_ok_at = Some(at);
        next.failures = 0;
        next.successes = state.successes.saturating_add(1);
        next.health = match state.health {
            Health::Dead | Health::Recovering if next.successes < rules.recovered_after => {
                Health::Recovering
            }
            Health::Dead | Health::Recovering => {
                outage_closed = state.failing_since;
                Health::Healthy
            }
            Health::Unknown | Health::Healthy | Health::Failing => Health::Healthy,
        };
        if next.health == Health::Healthy {
            next.failing_since = None;
        }
    } else {
        next.successes = 0;
        next.failures = state.failures.saturating_add(1);
        if next.failing_since.is_none() {
            next.failing_since = Some(at);
        }
        next.health = match state.health {
            // Still in the outage: a failure while recovering puts it back, no new outage.
            Health::Dead | Health::Recovering => Health::Dead,
            Health::Unknown | Health::Healthy | Health::Failing
                if next.failures >= rules.dead_after =>
            {
                outage_opened = next.failing_since;
                Health::Dead
            }
            Health::Unknown | Health::Failing => Health::Failing,
            Health::Healthy if next.failures >= rules.failing_after => Health::Failing,
            Health::Healthy => Health::Healthy,
        };
    }
    Observed {
        changed_from: (next.health != state.health).then_some(state.health),
        state: next,
        outage_opened,
        outage_closed,
    }
}

// ---------------------------------------------------------------------------------------
// The finding an outage raises

/// The camera an outage is about, as the finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraRef {
    pub id: CameraId,
    pub unit: UnitId,
    pub name: String,
    pub device_id: String,
}

/// A dead camera, as a supervision finding of kind [`FindingKind::CameraOffline`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageFinding {
    pub kind: FindingKind,
    pub camera: CameraId,
    /// The unit the camera is at: who answers for it.
    pub unit: UnitId,
    /// The outage's first failed probe.
    pub occurred_at: DateTime<Utc>,
    /// The probe that found it dead.
    pub detected_at: DateTime<Utc>,
    pub description_zh: String,
    pub description_en: String,
    /// `camera:{id}:camera_offline:{ms}`, `ms` the epoch milliseconds of the outage's first
    /// failure: one finding per outage, however many probes see it.
    pub dedup_key: String,
}

/// The finding of an outage of `camera` whose first failure was at `since`, found dead at
/// `detected_at` after `failures` failed probes, the last with `error`.
pub fn outage_finding(
    camera: &CameraRef,
    since: DateTime<Utc>,
    detected_at: DateTime<Utc>,
    failures: u32,
    error: &str,
) -> OutageFinding {
    let at = crate::calendar::china_datetime(since).format("%Y-%m-%d %H:%M");
    let error = error.trim();
    let (reason_zh, reason_en) = error.split_once(" / ").unwrap_or((error, error));
    OutageFinding {
        kind: FindingKind::CameraOffline,
        camera: camera.id,
        unit: camera.unit,
        occurred_at: since,
        detected_at,
        description_zh: format!(
            "摄像机“{}”（{}）自{at}起连续{failures}次取图失败：{reason_zh}",
            camera.name, camera.device_id
        ),
        description_en: format!(
            "camera \"{}\" ({}) failed {failures} snapshot probes in a row since {at}: {reason_en}",
            camera.name, camera.device_id
        ),
        dedup_key: format!(
            "camera:{}:{}:{}",
            camera.id,
            FindingKind::CameraOffline,
            since.timestamp_millis()
        ),
    }
}

#[cfg(test)]
mod tests;
