//! The bot's texts: tera templates from `templates/bot/`, compiled into the binary so it runs
//! from any directory.

use serde::Serialize;

pub struct Texts {
    tera: tera::Tera,
}

macro_rules! bot_templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/bot/", $name)))),*]
    };
}

impl Texts {
    pub fn load() -> Result<Texts, tera::Error> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(bot_templates![
            "staff_bound.tera",
            "staff_invite_invalid.tera",
            "staff_already_bound.tera"
        ])?;
        Ok(Texts { tera })
    }

    /// Renders a template; a rendering error is logged and yields a neutral apology rather
    /// than leaving the user without an answer.
    pub fn has(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    pub fn render(&self, name: &str, ctx: &impl Serialize) -> String {
        let result = tera::Context::from_serialize(ctx).and_then(|c| self.tera.render(name, &c));
        match result {
            Ok(text) => text.trim().to_owned(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "bot template failed");
                "Произошла ошибка. Попробуйте ещё раз чуть позже.".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders() {
        let t = Texts::load().unwrap();
        let s = t.render("staff_bound.tera", &serde_json::json!({"name": "Анна", "role": "турагент"}));
        assert!(s.contains("Анна"));
        assert!(!t.render("staff_invite_invalid.tera", &()).is_empty());
    }
}
