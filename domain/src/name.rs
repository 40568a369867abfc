//! A person's full name as the client writes it in Russian (or any letters).

use super::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

const MAX_CHARS: usize = 150;

/// Endings that mark a Russian surname, not a given name or a patronymic.
const SURNAME_ENDINGS: &[&str] = &["ов", "ова", "ев", "ева", "ёв", "ёва", "ский", "ская", "цкий", "цкая"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// At least two words (surname and given name) of letters, hyphens, apostrophes and dots;
    /// inner whitespace collapsed to single spaces.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let words: Vec<&str> = input.split_whitespace().collect();
        if words.is_empty() {
            return Err(Invalid::NameEmpty);
        }
        let joined = words.join(" ");
        if joined.chars().count() > MAX_CHARS {
            return Err(Invalid::NameTooLong);
        }
        if is_sentence(&words) {
            return Err(Invalid::NameSentence);
        }
        let allowed = |c: char| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.' | ' ');
        if !joined.chars().all(allowed) || !joined.chars().any(char::is_alphabetic) {
            return Err(Invalid::NameChars);
        }
        if words.len() < 2 {
            return Err(Invalid::NameOneWord);
        }
        Ok(PersonName(joined))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in the Russian order, «Фамилия Имя Отчество», when it was typed given name
    /// first: «Ирина Николаева» → «Николаева Ирина», «Игорь Петрович Николаев» → «Николаев Игорь
    /// Петрович». Moved only when exactly one word ends like a surname (-ов, -ева, -ский…) on a
    /// stem of three letters or more, so «Ким Лев» or «Марина Ильина» stay as typed. For what is
    /// typed in a chat (a client registering, an agent adding a client or a companion); the
    /// panel's forms ask for the order and keep what is typed.
    pub fn surname_first(self) -> PersonName {
        let words: Vec<&str> = self.0.split(' ').collect();
        let surname_like = |w: &str| {
            let w = w.to_lowercase();
            SURNAME_ENDINGS.iter().any(|e| w.strip_suffix(e).is_some_and(|stem| stem.chars().count() >= 3))
        };
        let marked: Vec<usize> = (0..words.len()).filter(|&i| surname_like(words[i])).collect();
        match marked[..] {
            [i] if i > 0 => {
                let mut ordered = vec![words[i]];
                ordered.extend(words.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, w)| *w));
                PersonName(ordered.join(" "))
            }
            _ => self,
        }
    }

    /// The given name, for greetings: Russian order is "Фамилия Имя Отчество".
    pub fn first_name(&self) -> &str {
        first_name_of(&self.0)
    }

    /// Lower-cased form used for case-insensitive search (SQLite's `lower()` knows only ASCII).
    pub fn search_key(&self) -> String {
        search_key(&self.0)
    }

    /// The same folding for a search query typed by a user.
    pub fn search_key_of(query: &str) -> String {
        search_key(&query.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// The given name in a stored full name ("Фамилия Имя Отчество"), or the whole name.
pub fn first_name_of(full_name: &str) -> &str {
    full_name.split(' ').nth(1).unwrap_or(full_name)
}

/// «Иванов Иван Иванович» → «Иванов И.И.»: how payment documents name a person, and the panel
/// its signed-in staff member where the menu needs the room.
pub fn surname_and_initials(full_name: &str) -> String {
    let mut words = full_name.split_whitespace();
    let Some(surname) = words.next() else { return String::new() };
    let initials: String = words.filter_map(|w| w.chars().next()).map(|c| format!("{c}.")).collect();
    if initials.is_empty() { surname.to_owned() } else { format!("{surname} {initials}") }
}

/// Lower-case with `ё` folded to `е`, the way people type and search Russian words: names,
/// countries, a count of travellers.
pub fn search_key(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        PersonName::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.0
    }
}

/// Words no name is made of, which a phrase typed at «Как вас зовут?» has («хочу в Турцию на
/// майские», «а есть туры?»).
const PHRASE_WORDS: &[&str] = &[
    "в",
    "во",
    "на",
    "и",
    "с",
    "со",
    "до",
    "по",
    "за",
    "из",
    "к",
    "о",
    "об",
    "у",
    "не",
    "а",
    "но",
    "что",
    "как",
    "где",
    "когда",
    "хочу",
    "хотим",
    "хотела",
    "хотел",
    "есть",
    "можно",
    "нужно",
    "нужен",
    "тур",
    "туры",
    "туров",
    "вопрос",
    "подскажите",
    "здравствуйте",
    "привет",
    "добрый",
    "день",
    "вечер",
    "мне",
    "нам",
    "меня",
    "это",
    "я",
];

/// A phrase rather than a name: a question mark, more than five words, or a word no name has.
fn is_sentence(words: &[&str]) -> bool {
    let bare = |w: &&str| w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
    words.iter().any(|w| w.contains('?'))
        || words.len() > 5
        || words.iter().map(bare).any(|w| PHRASE_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_typed_given_name_first_is_put_surname_first() {
        for (typed, stored) in [
            ("Игорь Николаев", "Николаев Игорь"),
            ("Ирина Николаева", "Николаева Ирина"),
            ("Игорь Петрович Николаев", "Николаев Игорь Петрович"),
            ("Мария Ивановна Петрова", "Петрова Мария Ивановна"),
            ("анна вольская", "вольская анна"),
            // Already surname first, or nothing marks the surname: as typed.
            ("Николаев Игорь", "Николаев Игорь"),
            ("Иванова Мария Петровна", "Иванова Мария Петровна"),
            ("Ким Лев", "Ким Лев"),
            ("Марина Ильина", "Марина Ильина"),
            ("Лев Иванов", "Иванов Лев"),
            ("Сидоров Петров", "Сидоров Петров"),
        ] {
            assert_eq!(PersonName::parse(typed).unwrap().surname_first().as_str(), stored, "{typed}");
        }
    }

    #[test]
    fn names_are_normalised() {
        let n = PersonName::parse("  Иванова   Мария  Петровна ").unwrap();
        assert_eq!(n.as_str(), "Иванова Мария Петровна");
        assert_eq!(n.first_name(), "Мария");
        assert_eq!(PersonName::parse("Салтыков-Щедрин Михаил").unwrap().first_name(), "Михаил");
        assert_eq!(n.search_key(), "иванова мария петровна");
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(PersonName::parse(" "), Err(Invalid::NameEmpty));
        assert_eq!(PersonName::parse("Мария"), Err(Invalid::NameOneWord));
        assert_eq!(PersonName::parse("<script>alert(1)</script> x"), Err(Invalid::NameChars));
        assert_eq!(PersonName::parse("Иван 123"), Err(Invalid::NameChars));
        assert_eq!(PersonName::parse("- -"), Err(Invalid::NameChars));
        assert_eq!(PersonName::parse(&"Я ".repeat(100)), Err(Invalid::NameTooLong));
        for phrase in ["хочу в Турцию на майские", "а туры в Египет есть?", "Здравствуйте, подскажите", "Есть вопрос"]
        {
            assert_eq!(PersonName::parse(phrase), Err(Invalid::NameSentence), "{phrase}");
        }
        for name in ["Мамедов Эльчин Гусейн оглы", "Ким Лев", "Д'Артаньян Шарль", "Иванова Анна-Мария Петровна"]
        {
            assert!(PersonName::parse(name).is_ok(), "{name}");
        }
    }
}
