//! The Open311 GeoReport v2 interface to appeals, so that civic-reporting clients and
//! dashboards that speak it can raise and follow appeals: `services`, `services/{code}`,
//! `requests` (list and create), `requests/{id}` and `tokens/{token}`, each as `.json` or
//! `.xml`. A service is a kind of appeal; a service request is an appeal, its id the appeal
//! number. Public lists leave out the person and the content (see docs/open311.md).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use liandong_app::{App, AppError};
use liandong_domain::appeal::{
    AppealChannel, AppealKind, AppealScope, AppealState, Person, Registration,
};
use liandong_domain::calendar::china_offset;
use liandong_domain::ids::PhoneNumber;
use liandong_store::{AppealFilter, AppealSummary};
use serde::Serialize;

use crate::extract::{Path, Query};

/// The Open311 routes, under `/open311/v2`.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/open311/v2/{file}", get(root_file).post(post_requests))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` or `name.xml`.
fn split(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    match ext {
        "json" => Some((name, Format::Json)),
        "xml" => Some((name, Format::Xml)),
        _ => None,
    }
}

/// One XML element or a list of them, built from the same data the JSON is.
enum Node {
    Text(&'static str, String),
    Group(&'static str, Vec<Node>),
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn write_xml(node: &Node, out: &mut String) {
    match node {
        Node::Text(name, text) => {
            out.push_str(&format!("<{name}>{}</{name}>", escape(text)));
        }
        Node::Group(name, children) => {
            out.push_str(&format!("<{name}>"));
            for child in children {
                write_xml(child, out);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

fn respond(status: StatusCode, format: Format, json: serde_json::Value, xml: Node) -> Response {
    let (body, content_type) = match format {
        Format::Json => (json.to_string(), "application/json; charset=utf-8"),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            write_xml(&xml, &mut out);
            (out, "text/xml; charset=utf-8")
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

/// Open311 errors: `[{code, description}]`.
fn error(status: StatusCode, format: Format, description: &str) -> Response {
    let code = status.as_u16();
    respond(
        status,
        format,
        serde_json::json!([{ "code": code, "description": description }]),
        Node::Group(
            "errors",
            vec![Node::Group(
                "error",
                vec![
                    Node::Text("code", code.to_string()),
                    Node::Text("description", description.to_owned()),
                ],
            )],
        ),
    )
}

fn app_error(format: Format, e: &AppError) -> Response {
    let status = match e {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::TooManyLookups { .. } | AppError::TooManyAttempts { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        AppError::Invalid(_) | AppError::Appeal(_) => StatusCode::BAD_REQUEST,
        AppError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let description = match e {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|f| format!("{}: {} / {}", f.field, f.message_zh, f.message_en))
            .collect::<Vec<_>>()
            .join("; "),
        // Never the database's own words.
        AppError::Storage(_) => "服务暂时不可用 / service unavailable".to_owned(),
        other => other.to_string(),
    };
    error(status, format, &description)
}

const KINDS: [AppealKind; 4] = [
    AppealKind::Opinion,
    AppealKind::Suggestion,
    AppealKind::Problem,
    AppealKind::ServiceComplaint,
];

fn kind_description(kind: AppealKind) -> &'static str {
    match kind {
        AppealKind::Opinion => "对政府工作的意见 / an opinion on the government's work",
        AppealKind::Suggestion => "对政府工作的建议 / a suggestion for the government's work",
        AppealKind::Problem => "需要解决的问题或诉求 / a problem to be solved",
        AppealKind::ServiceComplaint => {
            "对政务服务的投诉，由行政效能投诉中心督办 / a complaint about a government service, overseen by the efficiency complaint center"
        }
    }
}

#[derive(Serialize)]
struct Service {
    service_code: &'static str,
    service_name: &'static str,
    description: &'static str,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: &'static str,
}

fn service(kind: AppealKind) -> Service {
    Service {
        service_code: kind.as_str(),
        service_name: kind.name_zh(),
        description: kind_description(kind),
        metadata: true,
        kind: "realtime",
        keywords: format!("三项制度,{}", kind.name_zh()),
        group: "三项制度",
    }
}

fn service_node(s: &Service) -> Node {
    Node::Group(
        "service",
        vec![
            Node::Text("service_code", s.service_code.to_owned()),
            Node::Text("service_name", s.service_name.to_owned()),
            Node::Text("description", s.description.to_owned()),
            Node::Text("metadata", s.metadata.to_string()),
            Node::Text("type", s.kind.to_owned()),
            Node::Text("keywords", s.keywords.clone()),
            Node::Text("group", s.group.to_owned()),
        ],
    )
}

const SCOPES: [AppealScope; 5] = [
    AppealScope::Village,
    AppealScope::Township,
    AppealScope::DistrictDepartment,
    AppealScope::DistrictDepartments,
    AppealScope::CityDepartment,
];

/// `services.json`, `requests.json` (GET lists, POST creates), `discovery` is not offered.
async fn root_file(
    State(app): State<App>,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return error(StatusCode::NOT_FOUND, Format::Json, "not found");
    };
    match name {
        "services" => {
            let services: Vec<Service> = KINDS.into_iter().map(service).collect();
            respond(
                StatusCode::OK,
                format,
                serde_json::json!(services),
                Node::Group("services", services.iter().map(service_node).collect()),
            )
        }
        "requests" => list_requests(&app, format, &params).await,
        _ => error(StatusCode::NOT_FOUND, format, "not found"),
    }
}

/// `services/{code}.json`: the attributes a request of the service may carry.
async fn service_definition(Path(file): Path<String>) -> Response {
    let Some((code, format)) = split(&file) else {
        return error(StatusCode::NOT_FOUND, Format::Json, "not found");
    };
    let Some(kind) = KINDS.into_iter().find(|k| k.as_str() == code) else {
        return error(StatusCode::NOT_FOUND, format, "no such service_code");
    };
    let values: Vec<serde_json::Value> = SCOPES
        .iter()
        .map(|s| serde_json::json!({"key": s.as_str(), "name": s.name_zh()}))
        .collect();
    let attributes = serde_json::json!([
        {"variable": true, "code": "scope", "datatype": "singlevaluelist", "required": false,
         "datatype_description": "", "order": 1,
         "description": "需要谁来解决；不填时由区行政效能投诉中心分派 / who must act; left out, the efficiency complaint center routes it",
         "values": values},
        {"variable": true, "code": "unit_code", "datatype": "string", "required": false,
         "datatype_description": "单位代码，如20101 / a unit code, e.g. 20101", "order": 2,
         "description": "村（居）或镇（街）的单位代码，村、镇事项必填 / the village or township's unit code, needed for village and township matters",
         "values": []},
        {"variable": true, "code": "category", "datatype": "string", "required": false,
         "datatype_description": "", "order": 3,
         "description": "类别，如道路交通、环境卫生 / a category, e.g. roads, sanitation",
         "values": []},
    ]);
    let xml_attributes = attributes
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| {
                    let text = |k: &str| {
                        a.get(k)
                            .map(|v| match v {
                                serde_json::Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .unwrap_or_default()
                    };
                    let mut children = vec![
                        Node::Text("variable", text("variable")),
                        Node::Text("code", text("code")),
                        Node::Text("datatype", text("datatype")),
                        Node::Text("required", text("required")),
                        Node::Text("datatype_description", text("datatype_description")),
                        Node::Text("order", text("order")),
                        Node::Text("description", text("description")),
                    ];
                    let values = a
                        .get("values")
                        .and_then(|v| v.as_array())
                        .map(|vs| {
                            vs.iter()
                                .map(|v| {
                                    Node::Group(
                                        "value",
                                        vec![
                                            Node::Text(
                                                "key",
                                                v["key"].as_str().unwrap_or_default().to_owned(),
                                            ),
                                            Node::Text(
                                                "name",
                                                v["name"].as_str().unwrap_or_default().to_owned(),
                                            ),
                                        ],
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    children.push(Node::Group("values", values));
                    Node::Group("attribute", children)
                })
                .collect()
        })
        .unwrap_or_default();
    respond(
        StatusCode::OK,
        format,
        serde_json::json!({"service_code": kind.as_str(), "attributes": attributes}),
        Node::Group(
            "service_definition",
            vec![
                Node::Text("service_code", kind.as_str().to_owned()),
                Node::Group("attributes", xml_attributes),
            ],
        ),
    )
}

/// China time, as ISO 8601 with its offset.
fn iso(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[derive(Serialize)]
struct ServiceRequest {
    service_request_id: String,
    status: &'static str,
    status_notes: &'static str,
    service_name: &'static str,
    service_code: &'static str,
    agency_responsible: String,
    service_notice: &'static str,
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: String,
}

fn status(state: AppealState) -> &'static str {
    // A complaint awaiting the decision on acceptance is not settled either.
    if state.awaits_answer() || state == AppealState::PendingAcceptance {
        "open"
    } else {
        "closed"
    }
}

fn request_of(s: &AppealSummary, unit_name: &str) -> ServiceRequest {
    let updated = [Some(s.registered_at), s.answered_at, s.closed_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(s.registered_at);
    ServiceRequest {
        service_request_id: s.number.clone(),
        status: status(s.state),
        status_notes: s.state.name_zh(),
        service_name: s.kind.name_zh(),
        service_code: s.kind.as_str(),
        agency_responsible: unit_name.to_owned(),
        service_notice: "",
        requested_datetime: iso(s.registered_at),
        updated_datetime: iso(updated),
        expected_datetime: iso(s.due_at),
    }
}

fn request_node(r: &ServiceRequest) -> Node {
    Node::Group(
        "request",
        vec![
            Node::Text("service_request_id", r.service_request_id.clone()),
            Node::Text("status", r.status.to_owned()),
            Node::Text("status_notes", r.status_notes.to_owned()),
            Node::Text("service_name", r.service_name.to_owned()),
            Node::Text("service_code", r.service_code.to_owned()),
            Node::Text("agency_responsible", r.agency_responsible.clone()),
            Node::Text("service_notice", r.service_notice.to_owned()),
            Node::Text("requested_datetime", r.requested_datetime.clone()),
            Node::Text("updated_datetime", r.updated_datetime.clone()),
            Node::Text("expected_datetime", r.expected_datetime.clone()),
        ],
    )
}

async fn requests_response(app: &App, format: Format, rows: &[AppealSummary]) -> Response {
    let units = match app.units().await {
        Ok(units) => units,
        Err(e) => return app_error(format, &e),
    };
    let requests: Vec<ServiceRequest> = rows
        .iter()
        .map(|s| {
            let name = units
                .iter()
                .find(|u| u.id == s.responsible_unit_id)
                .map(|u| u.name.as_str())
                .unwrap_or_default();
            request_of(s, name)
        })
        .collect();
    respond(
        StatusCode::OK,
        format,
        serde_json::json!(requests),
        Node::Group(
            "service_requests",
            requests.iter().map(request_node).collect(),
        ),
    )
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `GET requests.json`: by ids, or by service, dates (the last 90 days by default) and status.
async fn list_requests(app: &App, format: Format, params: &[(String, String)]) -> Response {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    if let Some(ids) = param("service_request_id") {
        let mut rows = Vec::new();
        for id in ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .take(100)
        {
            match app.public_appeal_row(id).await {
                Ok(row) => rows.push(row),
                Err(AppError::NotFound(_)) => {}
                Err(e) => return app_error(format, &e),
            }
        }
        return requests_response(app, format, &rows).await;
    }
    let kind = match param("service_code") {
        Some(code) => match KINDS.into_iter().find(|k| k.as_str() == code) {
            Some(kind) => Some(kind),
            None => return error(StatusCode::BAD_REQUEST, format, "unknown service_code"),
        },
        None => None,
    };
    let mut times = [None, None];
    for (slot, name) in times.iter_mut().zip(["start_date", "end_date"]) {
        if let Some(text) = param(name) {
            match parse_time(text) {
                Some(t) => *slot = Some(t),
                None => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format,
                        &format!("{name} must be a W3C datetime, e.g. 2026-03-02T00:00:00+08:00"),
                    );
                }
            }
        }
    }
    let [start, end] = times;
    let end = end.unwrap_or_else(|| app.now());
    let start = start.unwrap_or(end - chrono::Duration::days(90));
    let wanted = match param("status") {
        None => None,
        Some(s) if s == "open" || s == "closed" => Some(s.to_owned()),
        Some(_) => return error(StatusCode::BAD_REQUEST, format, "status is open or closed"),
    };
    let rows = match app
        .public_appeal_rows(&AppealFilter {
            kind,
            open_only: wanted.as_deref() == Some("open"),
            registered_from: Some(start),
            registered_before: Some(end),
            limit: 500,
            ..AppealFilter::default()
        })
        .await
    {
        Ok(rows) => rows,
        Err(e) => return app_error(format, &e),
    };
    let rows: Vec<AppealSummary> = rows
        .into_iter()
        .filter(|s| wanted.as_deref().is_none_or(|w| status(s.state) == w))
        .collect();
    requests_response(app, format, &rows).await
}

/// `POST requests.json` (form-encoded, as the spec has it): raises an appeal online.
async fn post_requests(State(app): State<App>, Path(file): Path<String>, body: Bytes) -> Response {
    let Some(("requests", format)) = split(&file) else {
        return error(StatusCode::NOT_FOUND, Format::Json, "not found");
    };
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            format,
            "the body must be application/x-www-form-urlencoded",
        );
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let Some(kind) =
        field("service_code").and_then(|code| KINDS.into_iter().find(|k| k.as_str() == code))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            format,
            "service_code is missing or unknown",
        );
    };
    let scope = match field("attribute[scope]") {
        None => AppealScope::DistrictDepartments,
        Some(text) => match text.parse() {
            Ok(scope) => scope,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format,
                    "attribute[scope] is not one of the service's values",
                );
            }
        },
    };
    let unit = match field("attribute[unit_code]") {
        None => None,
        Some(code) => match app.unit_id_by_code(&code).await {
            Ok(id) => Some(id),
            Err(e) => return app_error(format, &e),
        },
    };
    let phone = match field("phone").map(|p| PhoneNumber::parse(&p)) {
        Some(Ok(phone)) => Some(phone),
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, format, &format!("phone: {e}")),
        None => None,
    };
    let name = [field("last_name"), field("first_name")]
        .into_iter()
        .flatten()
        .collect::<String>();
    let registration = Registration {
        kind,
        channel: AppealChannel::Online,
        scope,
        person: Person { name, phone },
        category: field("attribute[category]").unwrap_or_default(),
        content: field("description").unwrap_or_default(),
        address: field("address_string").unwrap_or_default(),
        unit,
        department: None,
    };
    match app.submit_online_appeal(&registration).await {
        Ok(appeal) => {
            let notice = "请记下编号，凭编号和手机号后六位查询办理进度 / keep the number: with your phone's last six digits it shows progress";
            respond(
                StatusCode::CREATED,
                format,
                serde_json::json!([{"service_request_id": appeal.number, "service_notice": notice}]),
                Node::Group(
                    "service_requests",
                    vec![Node::Group(
                        "request",
                        vec![
                            Node::Text("service_request_id", appeal.number),
                            Node::Text("service_notice", notice.to_owned()),
                        ],
                    )],
                ),
            )
        }
        Err(e) => app_error(format, &e),
    }
}

/// `GET requests/{id}.json`: one request, as a list of one.
async fn one_request(State(app): State<App>, Path(file): Path<String>) -> Response {
    let Some((id, format)) = split(&file) else {
        return error(StatusCode::NOT_FOUND, Format::Json, "not found");
    };
    match app.public_appeal_row(id).await {
        Ok(row) => requests_response(&app, format, &[row]).await,
        Err(e) => app_error(format, &e),
    }
}

/// `GET tokens/{token}.json`: requests get their id at once, so a token is the id itself.
async fn token(State(app): State<App>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = split(&file) else {
        return error(StatusCode::NOT_FOUND, Format::Json, "not found");
    };
    match app.public_appeal_row(token).await {
        Ok(row) => respond(
            StatusCode::OK,
            format,
            serde_json::json!([{"service_request_id": row.number, "token": token}]),
            Node::Group(
                "service_requests",
                vec![Node::Group(
                    "request",
                    vec![
                        Node::Text("service_request_id", row.number),
                        Node::Text("token", token.to_owned()),
                    ],
                )],
            ),
        ),
        Err(e) => app_error(format, &e),
    }
}
