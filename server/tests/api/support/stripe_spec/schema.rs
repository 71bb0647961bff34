//! The JSON-schema subset Stripe's request schemas use, applied to decoded form parameters.
//!
//! Supported: `type` (object, array, string, integer, number, boolean), `properties`,
//! `required`, `additionalProperties` (false, or a schema for map values), `items`, `enum`,
//! `anyOf`, `maxLength`, `format` (`unix-time` on integers, `decimal` on strings) and Stripe's
//! `x-stripeBypassValidation`. Keywords that only document (`title`, `description`) are ignored.
//! `unknown_keywords` lists anything else; the fake's own test asserts the extracted schemas hold
//! none, so a re-extracted newer spec cannot quietly weaken the check.

use super::ParamError;
use serde_json::{Map, Value};

/// Every keyword `check` understands or may safely ignore.
pub const KNOWN_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "anyOf",
    "maxLength",
    "format",
    "x-stripeBypassValidation",
    "title",
    "description",
];

pub const KNOWN_TYPES: &[&str] = &["object", "array", "string", "integer", "number", "boolean"];

/// Formats with a meaning `check` enforces (`unix-time` is an integer, which `type` checks).
pub const KNOWN_FORMATS: &[&str] = &["unix-time", "decimal"];

/// Checks `value` (decoded form: strings at the leaves) against `schema`; `param` names it in
/// bracket notation. Gives back the value typed: integers as numbers, booleans as booleans.
pub fn check(schema: &Value, value: &Value, param: &str) -> Result<Value, ParamError> {
    if let Some(alternatives) = schema["anyOf"].as_array() {
        return any_of(alternatives, value, param);
    }
    match schema["type"].as_str() {
        Some("object") => object(schema, value, param),
        Some("array") => array(schema, value, param),
        Some("string") => string(schema, value, param),
        Some("integer") => integer(schema, value, param),
        Some("number") => number(value, param),
        Some("boolean") => boolean(value, param),
        _ => Ok(value.clone()),
    }
}

fn child(param: &str, key: &str) -> String {
    if param.is_empty() {
        key.to_owned()
    } else {
        format!("{param}[{key}]")
    }
}

/// The decoded value as text, or the error a scalar parameter gets when sent as a hash/array.
fn leaf<'a>(value: &'a Value, kind: &str, param: &str) -> Result<&'a str, ParamError> {
    match value {
        Value::String(text) => Ok(text),
        _ => Err(ParamError::invalid(
            param,
            format!("Invalid {kind}: {param} must be a single value, not nested parameters"),
        )),
    }
}

fn object(schema: &Value, value: &Value, param: &str) -> Result<Value, ParamError> {
    let Value::Object(given) = value else {
        return Err(ParamError::invalid(param, "Invalid hash".into()));
    };
    let properties = schema["properties"].as_object();
    // Stripe writes `additionalProperties: false` only on the top level of a request body, yet
    // its API refuses unknown nested parameters too: an object that lists its properties and
    // says nothing about others is therefore closed. Only an explicit schema (metadata's string
    // map) or `true` opens it.
    let extra = match schema.get("additionalProperties") {
        Some(Value::Bool(open)) => Extra::Open(*open),
        Some(values) => Extra::Values(values),
        None => Extra::Open(properties.is_none()),
    };
    for key in given.keys() {
        let listed = properties.is_some_and(|p| p.contains_key(key));
        if !listed && matches!(extra, Extra::Open(false)) {
            return Err(ParamError::unknown(&child(param, key)));
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap_or_default();
        if !given.contains_key(name) {
            return Err(ParamError::missing(&child(param, name)));
        }
    }
    let mut typed = Map::new();
    for (key, item) in given {
        let name = child(param, key);
        let checked = match properties.and_then(|p| p.get(key)) {
            Some(sub) => check(sub, item, &name)?,
            None => match extra {
                Extra::Values(sub) => check(sub, item, &name)?,
                Extra::Open(_) => item.clone(),
            },
        };
        typed.insert(key.clone(), checked);
    }
    Ok(Value::Object(typed))
}

enum Extra<'a> {
    Open(bool),
    Values(&'a Value),
}

fn array(schema: &Value, value: &Value, param: &str) -> Result<Value, ParamError> {
    let Value::Array(items) = value else {
        return Err(ParamError::invalid(param, "Invalid array".into()));
    };
    let item_schema = &schema["items"];
    items
        .iter()
        .enumerate()
        .map(|(i, item)| check(item_schema, item, &format!("{param}[{i}]")))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn string(schema: &Value, value: &Value, param: &str) -> Result<Value, ParamError> {
    let text = leaf(value, "string", param)?;
    in_enum(schema, text, param)?;
    if let Some(max) = schema["maxLength"].as_u64() {
        if text.chars().count() as u64 > max {
            return Err(ParamError::invalid(
                param,
                format!("Invalid {param}: must be at most {max} characters"),
            ));
        }
    }
    if schema["format"] == "decimal" && !is_decimal(text) {
        return Err(ParamError::invalid(
            param,
            format!("Invalid decimal: {text}"),
        ));
    }
    Ok(Value::String(text.to_owned()))
}

fn integer(schema: &Value, value: &Value, param: &str) -> Result<Value, ParamError> {
    let text = leaf(value, "integer", param)?;
    // Decimal digits with an optional minus sign only: no "1e3", "0x10", "+5" or "4.0".
    let digits = text.strip_prefix('-').unwrap_or(text);
    let parsed = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<i64>().ok())
        .flatten();
    let Some(number) = parsed else {
        return Err(ParamError {
            code: Some("parameter_invalid_integer"),
            param: Some(param.to_owned()),
            message: format!("Invalid integer: {text}"),
        });
    };
    in_enum(schema, text, param)?;
    Ok(Value::from(number))
}

fn number(value: &Value, param: &str) -> Result<Value, ParamError> {
    let text = leaf(value, "decimal", param)?;
    let parsed = is_decimal(text)
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .and_then(serde_json::Number::from_f64);
    parsed
        .map(Value::Number)
        .ok_or_else(|| ParamError::invalid(param, format!("Invalid decimal: {text}")))
}

fn boolean(value: &Value, param: &str) -> Result<Value, ParamError> {
    match leaf(value, "boolean", param)? {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        other => Err(ParamError::invalid(
            param,
            format!("Invalid boolean: {other}"),
        )),
    }
}

/// `12`, `-3`, `4.50`: what Stripe's `decimal` strings hold.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn in_enum(schema: &Value, text: &str, param: &str) -> Result<(), ParamError> {
    let Some(allowed) = schema["enum"].as_array() else {
        return Ok(());
    };
    // The spec marks enums whose list is not exhaustive (Stripe accepts newer values the
    // published list lacks) with this flag; its own client libraries skip the check there.
    if schema["x-stripeBypassValidation"] == true {
        return Ok(());
    }
    if allowed.iter().any(|a| a.as_str() == Some(text)) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}, or {last}", rest.join(", ")),
        Some((only, _)) => format!("{only:?}"),
        None => String::new(),
    };
    Err(ParamError::invalid(
        param,
        format!("Invalid {param}: must be one of {list}"),
    ))
}

/// The first alternative that accepts the value wins. When none does, the error shown is the
/// one of the alternative shaped like the value (a hash for nested parameters, a scalar for a
/// single value), skipping Stripe's `enum: [""]` "send empty to unset" alternative if another
/// fits, since that one explains nothing.
fn any_of(alternatives: &[Value], value: &Value, param: &str) -> Result<Value, ParamError> {
    let mut errors = Vec::new();
    for alternative in alternatives {
        match check(alternative, value, param) {
            Ok(typed) => return Ok(typed),
            Err(error) => errors.push((alternative, error)),
        }
    }
    let shaped = |a: &Value| match (a["type"].as_str(), value) {
        (Some("object"), Value::Object(_)) | (Some("array"), Value::Array(_)) => true,
        (Some("object" | "array"), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        _ => true,
    };
    let unset_only = |a: &Value| a["enum"] == serde_json::json!([""]);
    let pick = errors
        .iter()
        .position(|(a, _)| shaped(a) && !unset_only(a))
        .unwrap_or(0);
    Err(errors.swap_remove(pick).1)
}

/// Keywords, types and formats in `schema` (recursively) that `check` does not know, with
/// where they are.
pub fn unknown_keywords(schema: &Value, at: &str) -> Vec<String> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (keyword, sub) in map {
        let here = format!("{at}/{keyword}");
        let known_value = match keyword.as_str() {
            "type" => sub.as_str().is_some_and(|t| KNOWN_TYPES.contains(&t)),
            "format" => sub.as_str().is_some_and(|f| KNOWN_FORMATS.contains(&f)),
            other => KNOWN_KEYWORDS.contains(&other),
        };
        if !known_value {
            found.push(format!("{here}={sub}"));
        }
        match keyword.as_str() {
            "properties" => {
                for (name, property) in sub.as_object().into_iter().flatten() {
                    found.extend(unknown_keywords(property, &format!("{here}/{name}")));
                }
            }
            "items" | "additionalProperties" => found.extend(unknown_keywords(sub, &here)),
            "anyOf" => {
                for (i, alternative) in sub.as_array().into_iter().flatten().enumerate() {
                    found.extend(unknown_keywords(alternative, &format!("{here}/{i}")));
                }
            }
            _ => {}
        }
    }
    found
}
