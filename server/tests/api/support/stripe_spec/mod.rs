//! Stripe's own description of the requests the fake serves, and a checker for it.
//!
//! `tests/data/stripe/request_schemas.json` holds the request schemas of three operations, cut
//! out of Stripe's OpenAPI spec (API version 2023-08-16) by `tests/data/stripe/extract.py`;
//! `fixtures.json` holds Stripe's example `checkout.session` and `refund` objects. Both are
//! compiled in, so the tests read nothing outside the repository.
//!
//! Requests arrive form-encoded in Stripe's bracket notation: [`decode_form`] turns them into
//! nested JSON (strings at the leaves) and [`Operation::check_body`] checks that against the
//! schema, giving back the same parameters typed (integers as numbers, booleans as booleans).

mod form;
mod schema;

pub use form::decode_form;
pub use schema::check;

use serde_json::{json, Map, Value};
use std::sync::OnceLock;

const REQUEST_SCHEMAS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/stripe/request_schemas.json"
));
const FIXTURES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/stripe/fixtures.json"
));

/// Why Stripe would refuse a request's parameters: the fields of its `error` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// Stripe's `error.code`, where Stripe documents one for the case.
    pub code: Option<&'static str>,
    /// The parameter in bracket notation (`line_items[0][quantity]`).
    pub param: Option<String>,
    pub message: String,
}

impl ParamError {
    pub fn unknown(param: &str) -> Self {
        Self {
            code: Some("parameter_unknown"),
            param: Some(param.to_owned()),
            message: format!("Received unknown parameter: {param}"),
        }
    }

    pub fn missing(param: &str) -> Self {
        Self {
            code: Some("parameter_missing"),
            param: Some(param.to_owned()),
            message: format!("Missing required param: {param}."),
        }
    }

    pub fn invalid(param: &str, message: String) -> Self {
        Self {
            code: None,
            param: Some(param.to_owned()),
            message,
        }
    }

    /// The `{"error": {...}}` body Stripe answers with, as an `invalid_request_error`.
    pub fn body(&self) -> Value {
        let mut error = Map::new();
        error.insert("type".into(), json!("invalid_request_error"));
        error.insert("message".into(), json!(self.message));
        if let Some(param) = &self.param {
            error.insert("param".into(), json!(param));
        }
        if let Some(code) = self.code {
            error.insert("code".into(), json!(code));
        }
        json!({ "error": error })
    }
}

/// One operation of the spec: its query, path and body parameters.
#[derive(Debug)]
pub struct Operation {
    pub method: String,
    /// The spec's path template (`/v1/checkout/sessions/{session}`).
    pub path: String,
    body: Value,
    query: Value,
    path_params: Vec<(String, Value)>,
}

impl Operation {
    /// Checks a decoded form body; gives back the parameters typed.
    pub fn check_body(&self, params: &Value) -> Result<Value, ParamError> {
        check(&self.body, params, "")
    }

    /// Checks a decoded query string against the operation's `in: query` parameters.
    pub fn check_query(&self, params: &Value) -> Result<Value, ParamError> {
        check(&self.query, params, "")
    }

    /// Checks one `in: path` parameter (for example the session id).
    pub fn check_path_param(&self, name: &str, value: &str) -> Result<(), ParamError> {
        let (_, schema) = self
            .path_params
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| {
                panic!("{} {} has no path parameter {name}", self.method, self.path)
            });
        check(schema, &Value::String(value.to_owned()), name).map(drop)
    }
}

struct Spec {
    api_version: String,
    operations: Vec<Operation>,
    fixtures: Value,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let raw: Value = serde_json::from_str(REQUEST_SCHEMAS).expect("request_schemas.json");
        let operations = raw["operations"]
            .as_array()
            .expect("operations")
            .iter()
            .map(load_operation)
            .collect();
        Spec {
            api_version: raw["api_version"].as_str().unwrap_or_default().to_owned(),
            operations,
            fixtures: serde_json::from_str(FIXTURES).expect("fixtures.json"),
        }
    })
}

fn load_operation(raw: &Value) -> Operation {
    let parameters = raw["parameters"].as_array().cloned().unwrap_or_default();
    let of_kind = |kind: &'static str| {
        parameters
            .iter()
            .filter(move |p| p["in"] == kind)
            .map(|p| (p["name"].as_str().unwrap_or_default().to_owned(), p))
    };
    // Query parameters become one closed object schema, so they are checked like a body.
    let query = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": of_kind("query")
            .map(|(name, p)| (name, p["schema"].clone()))
            .collect::<Map<_, _>>(),
        "required": of_kind("query")
            .filter(|(_, p)| p["required"] == true)
            .map(|(name, _)| name)
            .collect::<Vec<_>>(),
    });
    Operation {
        method: raw["method"].as_str().unwrap_or_default().to_owned(),
        path: raw["path"].as_str().unwrap_or_default().to_owned(),
        body: raw["requestBody"]["schema"].clone(),
        query,
        path_params: of_kind("path")
            .map(|(name, p)| (name, p["schema"].clone()))
            .collect(),
    }
}

/// The spec's operation for this method and path template; panics on one it does not hold.
pub fn operation(method: &str, path: &str) -> &'static Operation {
    spec()
        .operations
        .iter()
        .find(|op| op.method == method && op.path == path)
        .unwrap_or_else(|| panic!("the extracted spec has no {method} {path}"))
}

/// Schema keywords, types or formats in the extracted operations that the checker does not
/// support (empty unless a re-extraction brought in new constructs).
pub fn unsupported_constructs() -> Vec<String> {
    let mut found = Vec::new();
    for op in &spec().operations {
        let at = format!("{} {}", op.method, op.path);
        found.extend(schema::unknown_keywords(&op.body, &format!("{at} body")));
        found.extend(schema::unknown_keywords(&op.query, &format!("{at} query")));
        for (name, param) in &op.path_params {
            found.extend(schema::unknown_keywords(param, &format!("{at} {{{name}}}")));
        }
    }
    found
}

/// The API version of the spec the schemas come from.
pub fn api_version() -> &'static str {
    &spec().api_version
}

/// Stripe's example object of a resource (`checkout.session`, `refund`).
pub fn fixture(resource: &str) -> Value {
    let fixture = &spec().fixtures[resource];
    assert!(fixture.is_object(), "no fixture for {resource}");
    fixture.clone()
}
