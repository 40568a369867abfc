//! A Bot API request's parameters as one JSON object, whichever way they came: a JSON body
//! (teloxide's usual way), `application/x-www-form-urlencoded`, `multipart/form-data`
//! (teloxide's way when a file is uploaded), or the query string.

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value, json};

pub async fn params(req: Request) -> Value {
    let raw_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let content_type = raw_type.to_ascii_lowercase();
    let mut out = Map::new();
    if let Some(q) = req.uri().query()
        && let Ok(pairs) = serde_json::to_value(query_pairs(q))
    {
        merge_pairs(&mut out, pairs);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, &()).await.unwrap();
        merge_pairs(&mut out, serde_json::to_value(pairs).unwrap());
        return Value::Object(out);
    }
    let body = axum::body::to_bytes(req.into_body(), 64 << 20).await.unwrap();
    if content_type.starts_with("multipart/form-data") {
        let boundary = raw_type.split("boundary=").nth(1).unwrap_or_default().trim_matches('"').to_owned();
        out.extend(multipart(&body, &boundary));
    } else if !body.is_empty()
        && let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&body)
    {
        out.extend(o);
    }
    Value::Object(out)
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    let uri: axum::http::Uri = format!("/?{q}").parse().unwrap();
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri).map(|q| q.0).unwrap_or_default()
}

fn merge_pairs(out: &mut Map<String, Value>, pairs: Value) {
    for pair in pairs.as_array().into_iter().flatten() {
        let (k, v) = (pair[0].as_str().unwrap_or_default(), pair[1].as_str().unwrap_or_default());
        out.insert(k.to_owned(), field_value(v));
    }
}

/// Nested values (`reply_markup`, `entities`) travel as JSON text inside forms.
fn field_value(v: &str) -> Value {
    let t = v.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(parsed) = serde_json::from_str(v)
    {
        return parsed;
    }
    Value::String(v.to_owned())
}

/// Parts of a multipart body: text fields by name, files as `{"file_name", "size", "hex"}` (the
/// content, so a test can read a sent photo back); a field
/// `attach://<name>` is replaced by the file part it refers to.
fn multipart(body: &[u8], boundary: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    let delimiter = format!("--{boundary}").into_bytes();
    for part in split(body, &delimiter).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split_at) = find(part, b"\r\n\r\n") else { continue };
        let (head, content) = (String::from_utf8_lossy(&part[..split_at]).into_owned(), &part[split_at + 4..]);
        let name = disposition_param(&head, "name").unwrap_or_default();
        let value = match disposition_param(&head, "filename") {
            Some(file_name) => {
                let hex: String = content.iter().map(|b| format!("{b:02x}")).collect();
                json!({"file_name": file_name, "size": content.len(), "hex": hex})
            }
            None => field_value(&String::from_utf8_lossy(content)),
        };
        fields.insert(name, value);
    }
    let attached: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(k, v)| v.as_str().and_then(|s| s.strip_prefix("attach://")).map(|a| (k.clone(), a.to_owned())))
        .collect();
    for (field, attach) in attached {
        if let Some(file) = fields.remove(&attach) {
            fields.insert(field, file);
        }
    }
    fields
}

fn disposition_param(head: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=\"");
    let line = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
    // `name=` also matches inside `filename=`: take the occurrence preceded by a space or ';'.
    let mut from = 0;
    while let Some(i) = line[from..].find(&needle) {
        let at = from + i;
        if at == 0 || matches!(line.as_bytes()[at - 1], b' ' | b';') {
            let rest = &line[at + needle.len()..];
            return rest.find('"').map(|end| rest[..end].to_owned());
        }
        from = at + needle.len();
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut hay: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(i) = find(hay, delimiter) {
        parts.push(&hay[..i]);
        hay = &hay[i + delimiter.len()..];
    }
    parts.push(hay);
    parts
}
