//! Stripe's bracket notation: `a[b][0]=x` decodes to `{"a": {"b": ["x"]}}`.

use super::ParamError;
use serde_json::{Map, Value};

/// A parameter tree as sent, before deciding which branches are arrays.
enum Node {
    Leaf(String),
    Branch(Vec<(String, Node)>),
}

/// Decodes a form-encoded body or query string into nested JSON with strings at the leaves:
/// `a[b]` makes an object, a level whose keys are all `0..n` an array, `a[]` appends.
pub fn decode_form(raw: &[u8]) -> Result<Value, ParamError> {
    let mut root = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        insert(&mut root, &split_key(&key), value.into_owned(), &key)?;
    }
    // The top level is always named parameters, even if one were called "0".
    let mut object = Map::new();
    for (name, node) in root {
        let value = to_value(node, &name)?;
        object.insert(name, value);
    }
    Ok(Value::Object(object))
}

/// `a[b][]` → `["a", "b", ""]`. A key whose brackets do not parse stays one name, which the
/// schema then reports as unknown (as Stripe does with a mistyped name).
fn split_key(key: &str) -> Vec<String> {
    let whole = || vec![key.to_owned()];
    let Some(open) = key.find('[').filter(|&open| open > 0) else {
        return whole();
    };
    let mut parts = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while !rest.is_empty() {
        let Some((inside, after)) = rest
            .strip_prefix('[')
            .and_then(|inner| inner.split_once(']'))
        else {
            return whole();
        };
        parts.push(inside.to_owned());
        rest = after;
    }
    parts
}

fn insert(
    level: &mut Vec<(String, Node)>,
    path: &[String],
    value: String,
    key: &str,
) -> Result<(), ParamError> {
    let name = if path[0].is_empty() {
        level.len().to_string()
    } else {
        path[0].clone()
    };
    let found = level.iter().position(|(k, _)| *k == name);
    if path.len() == 1 {
        match found.map(|i| &mut level[i].1) {
            // A repeated key: the last value counts, as with any form decoder.
            Some(Node::Leaf(old)) => *old = value,
            Some(Node::Branch(_)) => return Err(mixed(key)),
            None => level.push((name, Node::Leaf(value))),
        }
        return Ok(());
    }
    let index = found.unwrap_or_else(|| {
        level.push((name, Node::Branch(Vec::new())));
        level.len() - 1
    });
    match &mut level[index].1 {
        Node::Branch(children) => insert(children, &path[1..], value, key),
        Node::Leaf(_) => Err(mixed(key)),
    }
}

fn mixed(key: &str) -> ParamError {
    let base = key.split('[').next().unwrap_or(key);
    ParamError::invalid(
        base,
        format!("Invalid {base}: sent both as a value and as nested parameters"),
    )
}

fn to_value(node: Node, param: &str) -> Result<Value, ParamError> {
    let children = match node {
        Node::Leaf(text) => return Ok(Value::String(text)),
        Node::Branch(children) => children,
    };
    let indices: Option<Vec<usize>> = children
        .iter()
        .map(|(k, _)| {
            k.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| k.parse().ok())
                .flatten()
        })
        .collect();
    match indices {
        Some(mut order) => {
            order.sort_unstable();
            // Indices must be exactly 0..n: a gap would shift every later item's meaning.
            if order.iter().enumerate().any(|(i, &n)| i != n) {
                return Err(ParamError::invalid(param, "Invalid array".into()));
            }
            let mut items: Vec<(usize, Value)> = Vec::with_capacity(children.len());
            for (k, child) in children {
                let item = to_value(child, &format!("{param}[{k}]"))?;
                items.push((k.parse().unwrap_or_default(), item));
            }
            items.sort_by_key(|(i, _)| *i);
            Ok(Value::Array(items.into_iter().map(|(_, v)| v).collect()))
        }
        None => {
            let mut object = Map::new();
            for (k, child) in children {
                let value = to_value(child, &format!("{param}[{k}]"))?;
                object.insert(k, value);
            }
            Ok(Value::Object(object))
        }
    }
}
