//! «Сохранено» after a form: the POST answers 303 to its page with `?saved=<code>&remade=<n>`
//! and a fragment naming the section, and the page says there what was saved and how many
//! unsigned documents the change made anew, and `&warned=<codes>` the warnings about a saved
//! document (said briefly: the passport's data stays out of the address). Each page lists the
//! codes it knows with their sections; a code it does not know (a link edited by hand) shows
//! nothing.

use serde::Deserialize;
use serde_json::json;

/// A page's notices: a code, the section it is shown in, and its text (`web.saved_*`).
pub type Notices = [(&'static str, &'static str, &'static str)];

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
    /// How many unsigned documents the change made anew (and sent to the client); text, so a
    /// link edited by hand still opens the page.
    #[serde(default)]
    remade: String,
    /// Warnings about the saved document, by `DocWarning::code`, comma-separated.
    #[serde(default)]
    warned: String,
}

/// The notice for the page: its section and text; `None` for no code or one of another page.
pub fn notice(q: &SavedQuery, page: &Notices) -> Option<serde_json::Value> {
    let (_, section, text) = page.iter().find(|(code, _, _)| *code == q.saved)?;
    let mut text = (*text).to_owned();
    if let Some(count) = q.remade.parse::<u32>().ok().filter(|n| *n > 0) {
        text.push(' ');
        text.push_str(&crm::text::fill("web", "saved_remade", &[("count", &count)]));
    }
    for brief in q.warned.split(',').filter_map(crm::domain::DocWarning::brief_ru) {
        text.push_str(" ⚠ ");
        text.push_str(brief);
    }
    Some(json!({"section": section, "text": text}))
}

/// Where `path` opens after `code` (one of `page`'s) saved, with `remade` documents made anew.
pub fn url(path: &str, page: &Notices, code: &str, remade: usize) -> String {
    url_warned(path, page, code, remade, &[])
}

/// The same, with the warnings about the document saved.
pub fn url_warned(
    path: &str,
    page: &Notices,
    code: &str,
    remade: usize,
    warnings: &[crm::domain::DocWarning],
) -> String {
    let section = page.iter().find(|(c, _, _)| *c == code).map_or("", |(_, s, _)| *s);
    let remade = if remade > 0 { format!("&remade={remade}") } else { String::new() };
    let warned = if warnings.is_empty() {
        String::new()
    } else {
        format!("&warned={}", warnings.iter().map(|w| w.code()).collect::<Vec<_>>().join(","))
    };
    format!("{path}?saved={code}{remade}{warned}#{section}")
}
