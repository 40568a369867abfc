//! The engine for templates that staff edit in the panel: notification and broadcast texts
//! today, documents next. Such text is untrusted input. An operator's broadcast must read
//! nothing but the variables it is given (not the environment, where the master key and the
//! bot's token live, nor files), and no template may make the server allocate or loop without
//! bound — one process serves the panel, the bot and the scheduler.
//!
//! tera, which the built-in templates (the bot's replies, the panel's pages) keep using, cannot
//! be set up so: every instance has `get_env` and an unbounded `range`, and nothing limits the
//! work of a render. Editable text therefore runs on minijinja, set up as follows:
//! - an empty environment: no functions, no globals and no loader (so no `include`), and only
//!   the filters of [`Filter`] and the tests `defined`/`undefined` — the template pages list them;
//! - an allowlist of constructs, checked on the tokens before compiling: `if`/`elif`/`else` and
//!   `for` blocks, nothing else (`set`, macros, `call` and `filter` blocks could each build a value
//!   that doubles with every statement), and no `*` or `**` (string repetition, huge numbers).
//!   What remains grows at most linearly with the template's length for each value it builds;
//! - fuel: a bound on the instructions of one render, which bounds loops over the context's lists;
//! - a bound on the output: rendering stops as soon as the text passes the limit of where it
//!   goes ([`TextLimit`]), so no larger text is ever held in memory.

use crate::text::{self, keyed_enum};
use minijinja::machinery::{Token, tokenize};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Serde, Value as JValue, ValueKind};
use minijinja::{AutoEscape, Environment, ErrorKind, State, UndefinedBehavior};
use serde_json::Value;
use std::io::Write;

/// The longest template source the panel accepts.
pub const MAX_SOURCE_CHARS: usize = 3500;

/// Instructions one render may execute. The default templates need a few hundred; a loop over
/// every tour of a big catalog a few thousand.
const FUEL: u64 = 50_000;

/// The block statements a template may open; everything else is refused before compiling.
const BLOCKS: [&str; 6] = ["if", "elif", "else", "endif", "for", "endfor"];

const NAME: &str = "message";

/// Why a template cannot be saved or a text cannot be made, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a rendered text goes, and so how long it may be. Telegram counts the length of a
/// message in UTF-16 code units (an emoji is two), so that is what is counted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLimit {
    /// A text message: 4096.
    Message,
    /// The caption of a photo or a document: 1024.
    Caption,
}

impl TextLimit {
    pub const fn max(self) -> usize {
        match self {
            TextLimit::Message => 4096,
            TextLimit::Caption => 1024,
        }
    }

    /// The length Telegram sees.
    pub fn length(text: &str) -> usize {
        text.encode_utf16().count()
    }

    /// The text as it is, or why Telegram would not take it.
    pub fn check(self, text: &str) -> Result<(), TemplateError> {
        let length = Self::length(text);
        if length <= self.max() {
            return Ok(());
        }
        Err(self.too_long(&length))
    }

    fn too_long(self, length: &dyn std::fmt::Display) -> TemplateError {
        let values: &[(&str, &dyn std::fmt::Display)] = &[("length", length), ("max", &self.max())];
        TemplateError(match self {
            TextLimit::Message => text::fill("template_error", "message_too_long", values),
            TextLimit::Caption => text::fill("template_error", "caption_too_long", values),
        })
    }
}

keyed_enum! {
    /// The filters an editable template may use: each one's output is at most as long as its
    /// input plus its arguments. Their descriptions (`[template_filter]` in the catalog) are
    /// listed on the template pages.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Filter: name {
        Default = "default",
        Upper = "upper",
        Lower = "lower",
        Capitalize = "capitalize",
        Title = "title",
        Trim = "trim",
        Truncate = "truncate",
        Length = "length",
        First = "first",
        Last = "last",
        Join = "join",
    }
}

impl Filter {
    /// What the filter does, for the template pages.
    pub fn about_ru(self) -> &'static str {
        text::get("template_filter", self.name())
    }

    /// How it is written in a template.
    pub fn example(self) -> &'static str {
        match self {
            Filter::Default => "{{ agent.name | default(value=\"ваш агент\") }}",
            Filter::Truncate => "{{ tour.title | truncate(length=40) }}",
            Filter::Join => "{{ names | join(sep=\", \") }}",
            Filter::Upper => "{{ client.first_name | upper }}",
            Filter::Lower => "{{ client.city | lower }}",
            Filter::Capitalize => "{{ client.first_name | capitalize }}",
            Filter::Title => "{{ client.full_name | title }}",
            Filter::Trim => "{{ client.first_name | trim }}",
            Filter::Length => "{{ tours | length }}",
            Filter::First => "{{ (tours | first).title }}",
            Filter::Last => "{{ (tours | last).title }}",
        }
    }
}

/// What a template makes, and so its bounds and escaping: a chat message (plain text, short) or
/// a document (HTML, escaped as it is written, long).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Message,
    Document,
}

impl Profile {
    const fn max_source(self) -> usize {
        match self {
            Profile::Message => MAX_SOURCE_CHARS,
            Profile::Document => MAX_DOCUMENT_SOURCE_CHARS,
        }
    }

    const fn fuel(self) -> u64 {
        match self {
            Profile::Message => FUEL,
            Profile::Document => DOCUMENT_FUEL,
        }
    }
}

/// The longest document template (a contract is some 20 000 characters).
pub const MAX_DOCUMENT_SOURCE_CHARS: usize = 60_000;

/// A document loops over travellers, route days, hotels and payments: more work than a message,
/// still bounded.
const DOCUMENT_FUEL: u64 = 1_000_000;

/// The largest HTML a document template may make.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// A compiled editable template: compile once, render for every recipient.
pub struct Template {
    env: Environment<'static>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sandbox::Template")
    }
}

impl Template {
    /// Checks the source against the allowlist and compiles it.
    pub fn compile(source: &str) -> Result<Template, TemplateError> {
        Self::compile_as(source, Profile::Message)
    }

    /// A document's template: the same allowlist, HTML escaping of every value on (so a
    /// client's name cannot add markup to a contract), longer text and more work allowed.
    /// Render it with [`Template::render_document`].
    pub fn compile_document(source: &str) -> Result<Template, TemplateError> {
        Self::compile_as(source, Profile::Document)
    }

    fn compile_as(source: &str, profile: Profile) -> Result<Template, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError(text::get("template_error", "empty").to_owned()));
        }
        if source.chars().count() > profile.max_source() {
            return Err(TemplateError(text::fill("template_error", "too_long", &[("max", &profile.max_source())])));
        }
        check_constructs(source)?;
        let mut env = Environment::empty();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(profile.fuel()));
        let html = profile == Profile::Document;
        env.set_auto_escape_callback(move |_| if html { AutoEscape::Html } else { AutoEscape::None });
        // Debug info would print the context (a client's data) into error texts.
        env.set_debug(false);
        register(&mut env);
        env.add_template_owned(NAME, source.to_owned()).map_err(|e| does_not_compile(e, source))?;
        Ok(Template { env })
    }

    /// The variables the template reads from its context, as dotted paths (`client.first_name`).
    pub fn variables(&self) -> Vec<String> {
        let Ok(t) = self.env.get_template(NAME) else { return Vec::new() };
        let mut names: Vec<String> = t.undeclared_variables(true).into_iter().collect();
        names.sort();
        names
    }

    /// The text for one context, trimmed, within `limit`.
    pub fn render(&self, ctx: &Value, limit: TextLimit) -> Result<String, TemplateError> {
        let template = self.env.get_template(NAME).map_err(|e| does_not_compile(e, ""))?;
        // A UTF-16 unit is at most three bytes of UTF-8: past that many bytes the text is
        // certainly over the limit, and the render stops there.
        let mut out = Bounded { buf: Vec::new(), max: limit.max() * 3, overflowed: false };
        let result = template.render_captured_to(JValue::from(Serde(ctx)), &mut out);
        if out.overflowed {
            return Err(limit.too_long(&format!("> {}", limit.max())));
        }
        result.map_err(|e| does_not_render(describe(&e, "")))?;
        let text = String::from_utf8_lossy(&out.buf).trim().to_owned();
        if text.is_empty() {
            return Err(TemplateError(text::get("template_error", "empty_message").to_owned()));
        }
        limit.check(&text)?;
        Ok(text)
    }

    /// A document's HTML for one context (see [`Template::compile_document`]).
    pub fn render_document(&self, ctx: &Value) -> Result<String, TemplateError> {
        let template = self.env.get_template(NAME).map_err(|e| does_not_compile(e, ""))?;
        let mut out = Bounded { buf: Vec::new(), max: MAX_DOCUMENT_BYTES, overflowed: false };
        let result = template.render_captured_to(JValue::from(Serde(ctx)), &mut out);
        if out.overflowed {
            return Err(TemplateError(text::get("template_error", "document_too_long").to_owned()));
        }
        result.map_err(|e| does_not_render(describe(&e, "")))?;
        let html = String::from_utf8_lossy(&out.buf).trim().to_owned();
        if html.is_empty() {
            return Err(TemplateError(text::get("template_error", "empty_message").to_owned()));
        }
        Ok(html)
    }

    /// Names the first variable of the template that `sample` lacks (see [`Template::preview`]).
    pub fn check_variables(&self, sample: &Value) -> Result<(), TemplateError> {
        match self.variables().into_iter().find(|path| !has_path(sample, path)) {
            Some(unknown) => {
                Err(does_not_render(text::fill("template_error", "unknown_variable", &[("name", &unknown)])))
            }
            None => Ok(()),
        }
    }

    /// Renders against a sample that holds every variable the real context will: a variable
    /// the sample lacks is named, then the text is made as a recipient would get it.
    pub fn preview(&self, sample: &Value, limit: TextLimit) -> Result<String, TemplateError> {
        self.check_variables(sample)?;
        self.render(sample, limit)
    }
}

/// Whether `path` (`client.first_name`) leads to a value in `ctx`.
fn has_path(ctx: &Value, path: &str) -> bool {
    path.split('.').try_fold(ctx, |v, key| v.get(key)).is_some()
}

/// An output that refuses to hold more than `max` bytes.
struct Bounded {
    buf: Vec<u8>,
    max: usize,
    overflowed: bool,
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.max {
            self.overflowed = true;
            return Err(std::io::Error::other("the text is over its limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses every block but [`BLOCKS`], calls of anything but a filter, unknown filters and
/// tests, and the operators that repeat or multiply values — before anything is compiled, so
/// the admin reads what is wrong with the line it is on.
fn check_constructs(source: &str) -> Result<(), TemplateError> {
    let mut prev: Option<Token> = None;
    let mut before_prev_is_pipe = false;
    // After `is` (and `is not`) comes the name of a test.
    let mut testing = false;
    for token in tokenize(source, false, SyntaxConfig::default()) {
        let (token, span) = token.map_err(|e| does_not_compile(e, source))?;
        let line = span.start_line;
        let refused = match (&prev, &token) {
            (Some(Token::BlockStart), Token::Ident(name)) if !BLOCKS.contains(name) => {
                Some(text::fill("template_error", "block_not_allowed", &[("name", name), ("line", &line)]))
            }
            (Some(Token::BlockStart), other) if !matches!(other, Token::Ident(_)) => {
                Some(text::fill("template_error", "block_not_allowed", &[("name", other), ("line", &line)]))
            }
            (_, Token::Mul | Token::Pow) => {
                Some(text::fill("template_error", "operator_not_allowed", &[("name", &token), ("line", &line)]))
            }
            (Some(Token::Pipe), Token::Ident(name)) if !Filter::ALL.iter().any(|f| f.name() == *name) => {
                Some(text::fill("template_error", "unknown_filter", &[("name", name)]))
            }
            (_, Token::Ident(name)) if testing && !matches!(*name, "defined" | "undefined" | "not") => {
                Some(text::fill("template_error", "unknown_test", &[("name", name), ("line", &line)]))
            }
            (Some(Token::Ident(_)), Token::ParenOpen) if !before_prev_is_pipe => {
                Some(text::fill("template_error", "no_functions", &[("line", &line)]))
            }
            _ => None,
        };
        if let Some(reason) = refused {
            return Err(does_not_compile_because(reason));
        }
        testing = matches!(token, Token::Ident("is")) || (testing && matches!(token, Token::Ident("not")));
        before_prev_is_pipe = matches!(prev, Some(Token::Pipe));
        prev = Some(token);
    }
    Ok(())
}

fn does_not_compile(e: minijinja::Error, source: &str) -> TemplateError {
    does_not_compile_because(describe(&e, source))
}

fn does_not_compile_because(reason: String) -> TemplateError {
    TemplateError(text::fill("template_error", "does_not_compile", &[("reason", &reason)]))
}

fn does_not_render(reason: String) -> TemplateError {
    TemplateError(text::fill("template_error", "does_not_render", &[("reason", &reason)]))
}

fn register(env: &mut Environment<'static>) {
    for f in Filter::ALL {
        match f {
            Filter::Default => env.add_filter(f.name(), default),
            Filter::Upper => env.add_filter(f.name(), |s: &str| s.to_uppercase()),
            Filter::Lower => env.add_filter(f.name(), |s: &str| s.to_lowercase()),
            Filter::Capitalize => env.add_filter(f.name(), capitalize),
            Filter::Title => {
                env.add_filter(f.name(), |s: &str| s.split(' ').map(capitalize).collect::<Vec<_>>().join(" "))
            }
            Filter::Trim => env.add_filter(f.name(), |s: &str| s.trim().to_owned()),
            Filter::Truncate => env.add_filter(f.name(), truncate),
            Filter::Length => env.add_filter(f.name(), length),
            Filter::First => {
                env.add_filter(f.name(), |v: JValue| v.try_iter().ok().and_then(|mut i| i.next()).unwrap_or_default())
            }
            Filter::Last => {
                env.add_filter(f.name(), |v: JValue| v.try_iter().ok().and_then(|i| i.last()).unwrap_or_default())
            }
            Filter::Join => env.add_filter(f.name(), join),
        }
    }
    env.add_test("defined", |v: &JValue| !v.is_undefined());
    env.add_test("undefined", |v: &JValue| v.is_undefined());
}

/// Positional or named the tera way (`default(value="…")`), so templates saved before the
/// sandbox keep working. The default stands in for an absent, empty or null value.
fn default(v: &JValue, other: Option<JValue>, kwargs: Kwargs) -> Result<JValue, minijinja::Error> {
    let other = match other {
        Some(o) => o,
        None => kwargs.get::<Option<JValue>>("value")?.unwrap_or_else(|| JValue::from("")),
    };
    kwargs.assert_all_used()?;
    let empty = v.is_undefined() || v.is_none() || v.as_str().is_some_and(|s| s.trim().is_empty());
    Ok(if empty { other } else { v.clone() })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

fn truncate(s: &str, length: Option<usize>, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let length = match length {
        Some(l) => l,
        None => kwargs.get::<Option<usize>>("length")?.unwrap_or(255),
    };
    kwargs.assert_all_used()?;
    if s.chars().count() <= length {
        return Ok(s.to_owned());
    }
    let cut: String = s.chars().take(length).collect();
    Ok(format!("{}…", cut.trim_end()))
}

fn length(v: JValue) -> Result<usize, minijinja::Error> {
    match v.kind() {
        ValueKind::String => Ok(v.as_str().map_or(0, |s| s.chars().count())),
        _ => v.len().ok_or_else(|| minijinja::Error::new(ErrorKind::InvalidOperation, "no length")),
    }
}

fn join(_: &State, v: JValue, sep: Option<String>, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let sep = match sep {
        Some(s) => s,
        None => kwargs.get::<Option<String>>("sep")?.unwrap_or_default(),
    };
    kwargs.assert_all_used()?;
    let items: Vec<String> = v.try_iter()?.map(|i| i.to_string()).collect();
    Ok(items.join(&sep))
}

/// minijinja's error in the admin's words where it is a common one, else its own detail.
/// (Unknown filters, tests and functions are refused before compiling, by `check_constructs`.)
fn describe(e: &minijinja::Error, source: &str) -> String {
    let detail = e.detail().unwrap_or_default();
    let line = e.line().unwrap_or(0);
    match e.kind() {
        ErrorKind::SyntaxError => {
            let at = e.range().map_or(0, |r| r.start).min(source.len());
            let line_start = source.get(..at).and_then(|s| s.rfind('\n')).map_or(0, |n| n + 1);
            let column = source.get(line_start..at).map_or(0, |s| s.chars().count()) + 1;
            text::fill("template_error", "syntax", &[("line", &line), ("column", &column)])
        }
        ErrorKind::UndefinedError => text::fill("template_error", "undefined_at", &[("line", &line)]),
        ErrorKind::OutOfFuel => text::get("template_error", "too_much_work").to_owned(),
        _ if detail.is_empty() => format!("{} ({line})", e.kind()),
        _ => format!("{}: {detail} ({line})", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "client": {"first_name": "Анна", "full_name": "Иванова Анна"},
            "agent": {"name": null},
            "tours": [{"title": "Стамбул"}, {"title": "Алтай"}],
        })
    }

    fn attempt(source: &str) -> Result<String, TemplateError> {
        Template::compile(source)?.preview(&sample(), TextLimit::Message)
    }

    fn refused(source: &str, because: &str) {
        let e = attempt(source).expect_err(source);
        assert!(e.0.contains(because), "{source}: {e}");
    }

    #[test]
    fn the_environment_and_files_are_out_of_reach() {
        // SAFETY of the test: reading the variable proves it is there to be leaked.
        assert!(std::env::var("PATH").is_ok());
        refused(r#"{{ get_env(name="PATH") }}"#, "функций нет");
        refused(r#"{{ get_env("PATH") }}"#, "функций нет");
        refused(r#"{% include "/etc/passwd" %}"#, "«include»");
        refused(r#"{% import "x" as y %}"#, "«import»");
        refused(r#"{% extends "base.html" %}"#, "«extends»");
        refused("{{ now() }}", "функций нет");
        refused("{{ client.first_name.upper() }}", "функций нет");
        refused("{{ client | tojson }}", "неизвестный фильтр «tojson»");
        refused("{% if client is mapping %}x{% endif %}", "проверка «mapping»");
    }

    #[test]
    fn no_template_can_make_the_server_allocate_or_loop_without_bound() {
        refused("{% set r = range(end=100000000) %}{{ r | length }}", "«set»");
        refused("{% for i in range(100000000) %}x{% endfor %}", "функций нет");
        refused(r#"{{ "x" * 100000000 }}"#, "оператор `*`");
        refused("{{ 10 ** 100000 }}", "оператор `**`");
        refused("{% set a = client.full_name %}{% set a = a ~ a %}{{ a }}", "«set»");
        refused("{% macro m(s) %}{{ s ~ s }}{% endmacro %}{{ m(m(m(client.full_name))) }}", "«macro»");
        refused("{% filter upper %}{{ client.full_name }}{% endfilter %}", "«filter»");
        refused("{% with a = 1 %}{{ a }}{% endwith %}", "«with»");
        // An 85-character template that would print a million characters: refused as too long,
        // after at most the limit's worth of output was held.
        let ten = "[0,0,0,0,0,0,0,0,0,0]";
        let million = format!(
            "{{% for a in {ten} %}}{{% for b in {ten} %}}{{% for c in {ten} %}}xxxxxxxxxx{{% endfor %}}{{% endfor %}}{{% endfor %}}"
        );
        refused(&million, "не больше 4096");
        // Loops within loops that print little: stopped by the fuel.
        let deep = format!(
            "{{% for a in {ten} %}}{{% for b in {ten} %}}{{% for c in {ten} %}}{{% for d in {ten} %}}{{% for e in {ten} %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}ok"
        );
        refused(&deep, "слишком много работы");
    }

    #[test]
    fn what_a_message_template_needs_still_works() {
        let text = attempt(
            "{{ client.first_name | upper }}, {{ agent.name | default(value=\"ваш агент\") }}: \
             {% for t in tours %}{{ loop.index }}. {{ t.title }}{% if not loop.last %}, {% endif %}{% endfor %} \
             ({{ tours | length }}) {{ client.full_name ~ \"!\" }} {{ tours | first | default(\"\") }}",
        )
        .unwrap();
        assert!(text.starts_with("АННА, ваш агент: 1. Стамбул, 2. Алтай (2) Иванова Анна!"), "{text}");
        assert_eq!(attempt("{{ client.first_name | default(\"x\") }}").unwrap(), "Анна");
        assert_eq!(attempt("{% if client.first_name is undefined %}a{% else %}b{% endif %}").unwrap(), "b");
        assert_eq!(attempt("{{ client.full_name | truncate(length=6) }}").unwrap(), "Иванов…");
        assert_eq!(attempt("{{ client.full_name | lower | capitalize }}").unwrap(), "Иванова анна");
    }

    #[test]
    fn unknown_variables_are_named() {
        refused("{{ client.nickname }}", "неизвестная переменная «client.nickname»");
        refused("{{ passport.expires_on }}", "«passport.expires_on»");
        // Inside a loop the name is the loop's, so the line is what can be said.
        refused("{% for t in tours %}{{ t.price }}{% endfor %}", "в строке 1 нет такого значения");
    }

    #[test]
    fn length_is_counted_as_telegram_counts_it() {
        // An emoji is two UTF-16 units: 2048 of them fill a message.
        assert!(TextLimit::Message.check(&"🎂".repeat(2048)).is_ok());
        let e = TextLimit::Message.check(&"🎂".repeat(2049)).unwrap_err();
        assert!(e.0.contains("4098 знаков") && e.0.contains("не больше 4096"), "{e}");
        assert!(TextLimit::Caption.check(&"я".repeat(1024)).is_ok());
        assert!(TextLimit::Caption.check(&"я".repeat(1025)).unwrap_err().0.contains("в подписи"));
        let long = Template::compile("{% for t in tours %}{{ client.full_name }}{% endfor %}").unwrap();
        let many = json!({"client": {"full_name": "я".repeat(3000)}, "tours": [1, 2]});
        assert!(long.render(&many, TextLimit::Message).unwrap_err().0.contains("не больше 4096"));
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = attempt("{% if client.first_name %}без конца").unwrap_err();
        assert!(e.0.starts_with("Ошибка в шаблоне: синтаксис нарушен в строке 1"), "{e}");
    }
}
