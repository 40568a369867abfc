//! Cyrillic to Latin as Russian foreign passports print names: the table of MVD order No. 889
//! of 2020, which follows ICAO Doc 9303. Used only to warn a travel agent when the Latin name
//! typed from a passport differs from what the rules give; the printed name always wins.

/// One Cyrillic letter's Latin form (upper case); `None` for anything that is not a Russian
/// letter. `Ь` is written as nothing.
fn letter(c: char) -> Option<&'static str> {
    let upper = c.to_uppercase().next().unwrap_or(c);
    Some(match upper {
        'А' => "A",
        'Б' => "B",
        'В' => "V",
        'Г' => "G",
        'Д' => "D",
        'Е' | 'Ё' | 'Э' => "E",
        'Ж' => "ZH",
        'З' => "Z",
        'И' | 'Й' => "I",
        'К' => "K",
        'Л' => "L",
        'М' => "M",
        'Н' => "N",
        'О' => "O",
        'П' => "P",
        'Р' => "R",
        'С' => "S",
        'Т' => "T",
        'У' => "U",
        'Ф' => "F",
        'Х' => "KH",
        'Ц' => "TS",
        'Ч' => "CH",
        'Ш' => "SH",
        'Щ' => "SHCH",
        'Ъ' => "IE",
        'Ы' => "Y",
        'Ь' => "",
        'Ю' => "IU",
        'Я' => "IA",
        _ => return None,
    })
}

/// The Latin form of a Cyrillic text, upper case. Latin letters, hyphens and spaces pass
/// through (a name may already be Latin); anything else is dropped.
pub fn latin_of(cyrillic: &str) -> String {
    let mut out = String::with_capacity(cyrillic.len());
    for c in cyrillic.chars() {
        match letter(c) {
            Some(l) => out.push_str(l),
            None if c.is_ascii_alphabetic() => out.push(c.to_ascii_uppercase()),
            None if c == '-' || c == ' ' => out.push(c),
            None => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a foreign passport should print for a full name written «Фамилия Имя Отчество»: the
/// surname and the given name (a Russian foreign passport has no patronymic).
pub fn passport_latin_name(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().take(2).collect();
    latin_of(&words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_follows_the_table() {
        let cyr = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ";
        let lat = [
            "A", "B", "V", "G", "D", "E", "E", "ZH", "Z", "I", "I", "K", "L", "M", "N", "O", "P", "R", "S", "T", "U",
            "F", "KH", "TS", "CH", "SH", "SHCH", "IE", "Y", "", "E", "IU", "IA",
        ];
        for (c, l) in cyr.chars().zip(lat) {
            assert_eq!(latin_of(&c.to_string()), l, "{c}");
            assert_eq!(latin_of(&c.to_lowercase().to_string()), l, "{c} in lower case");
        }
    }

    #[test]
    fn names_come_out_as_passports_print_them() {
        assert_eq!(latin_of("Мария"), "MARIIA");
        assert_eq!(latin_of("Юлия"), "IULIIA");
        assert_eq!(latin_of("Щукин"), "SHCHUKIN");
        assert_eq!(latin_of("Подъячев"), "PODIEIACHEV");
        assert_eq!(latin_of("Соловьёв"), "SOLOVEV");
        assert_eq!(latin_of("Хабибуллина"), "KHABIBULLINA");
        assert_eq!(latin_of("Салтыков-Щедрин"), "SALTYKOV-SHCHEDRIN");
        assert_eq!(latin_of("Цой Виктор"), "TSOI VIKTOR");
        assert_eq!(latin_of("Smith  John"), "SMITH JOHN");
        assert_eq!(passport_latin_name("Иванова Мария Петровна"), "IVANOVA MARIIA");
        assert_eq!(passport_latin_name("  Эрдниев   Аркадий "), "ERDNIEV ARKADII");
    }
}
