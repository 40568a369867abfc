//! Why an input was refused. Each variant is a reason a user can act on; the Russian
//! wording lives in the templates of the front-ends, keyed by [`Invalid::code`].

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    PhoneEmpty,
    PhoneChars,
    PhoneLength,
    PhoneNotRussian,
    NameEmpty,
    NameTooLong,
    NameChars,
    NameOneWord,
    DateFormat,
    BirthDateFuture,
    BirthDateTooOld,
    CityEmpty,
    CityTooLong,
    TagEmpty,
    TagTooLong,
    MoneyFormat,
    MoneyNegative,
    CurrencyUnknown,
    PassportSeries,
    PassportNumber,
    ForeignPassportNumber,
    IssuerEmpty,
    LatinName,
    ExpiryBeforeIssue,
    IssueDateFuture,
    TextEmpty,
    TextTooLong,
    RoleUnknown,
    LoginFormat,
    KindUnknown,
    ReasonRequired,
    PaymentDetails,
    PasswordTooShort,
    ConsentRequired,
}

impl Invalid {
    /// A stable machine code, used as the key of the user-facing message in templates.
    pub fn code(&self) -> &'static str {
        use Invalid::*;
        match self {
            PhoneEmpty => "phone_empty",
            PhoneChars => "phone_chars",
            PhoneLength => "phone_length",
            PhoneNotRussian => "phone_not_russian",
            NameEmpty => "name_empty",
            NameTooLong => "name_too_long",
            NameChars => "name_chars",
            NameOneWord => "name_one_word",
            DateFormat => "date_format",
            BirthDateFuture => "birth_date_future",
            BirthDateTooOld => "birth_date_too_old",
            CityEmpty => "city_empty",
            CityTooLong => "city_too_long",
            TagEmpty => "tag_empty",
            TagTooLong => "tag_too_long",
            MoneyFormat => "money_format",
            MoneyNegative => "money_negative",
            CurrencyUnknown => "currency_unknown",
            PassportSeries => "passport_series",
            PassportNumber => "passport_number",
            ForeignPassportNumber => "foreign_passport_number",
            IssuerEmpty => "issuer_empty",
            LatinName => "latin_name",
            ExpiryBeforeIssue => "expiry_before_issue",
            IssueDateFuture => "issue_date_future",
            TextEmpty => "text_empty",
            TextTooLong => "text_too_long",
            RoleUnknown => "role_unknown",
            LoginFormat => "login_format",
            KindUnknown => "kind_unknown",
            ReasonRequired => "reason_required",
            PaymentDetails => "payment_details",
            PasswordTooShort => "password_too_short",
            ConsentRequired => "consent_required",
        }
    }

    /// The Russian explanation, for front-ends that have no template of their own (the CLI).
    pub fn message_ru(&self) -> &'static str {
        use Invalid::*;
        match self {
            PhoneEmpty => "Укажите номер телефона.",
            PhoneChars => "В номере телефона могут быть только цифры, пробелы, скобки, дефисы и знак +.",
            PhoneLength => "В российском номере 10 цифр после +7 или 8.",
            PhoneNotRussian => "Номер должен быть российским: +7…, 8… или 10 цифр, начиная с 9.",
            NameEmpty => "Укажите фамилию и имя.",
            NameTooLong => "Имя слишком длинное (не больше 150 символов).",
            NameChars => "В имени могут быть только буквы, пробелы, дефисы и апострофы.",
            NameOneWord => "Укажите хотя бы фамилию и имя через пробел.",
            DateFormat => "Дата должна быть в формате дд.мм.гггг, например 05.03.1990.",
            BirthDateFuture => "Дата рождения не может быть в будущем.",
            BirthDateTooOld => "Дата рождения не может быть раньше 1900 года.",
            CityEmpty => "Укажите город.",
            CityTooLong => "Название города слишком длинное.",
            TagEmpty => "Тег не может быть пустым.",
            TagTooLong => "Тег слишком длинный (не больше 40 символов).",
            MoneyFormat => "Сумма должна быть числом, например 15000 или 15000,50.",
            MoneyNegative => "Сумма не может быть отрицательной.",
            CurrencyUnknown => "Неизвестная валюта: используйте RUB, USD, EUR, TRY, AED, CNY, KZT.",
            PassportSeries => "Серия паспорта РФ — 4 цифры.",
            PassportNumber => "Номер паспорта РФ — 6 цифр.",
            ForeignPassportNumber => "Номер загранпаспорта — 9 цифр (серия 2 цифры и номер 7 цифр).",
            IssuerEmpty => "Укажите, кем выдан документ.",
            LatinName => "Имя латиницей — как в загранпаспорте, только латинские буквы.",
            ExpiryBeforeIssue => "Срок действия не может закончиться раньше даты выдачи.",
            IssueDateFuture => "Дата выдачи не может быть в будущем.",
            TextEmpty => "Текст не может быть пустым.",
            TextTooLong => "Текст слишком длинный.",
            RoleUnknown => "Роль: admin, operator, agent или accountant.",
            LoginFormat => "Логин: 3–32 латинские буквы, цифры, точка, дефис или подчёркивание.",
            KindUnknown => "Неизвестный вид записи.",
            ReasonRequired => "Укажите причину.",
            ConsentRequired => "Без согласия на обработку персональных данных мы не можем вас зарегистрировать.",
            PasswordTooShort => "Пароль должен быть не короче 10 символов.",
            PaymentDetails => "Реквизиты: номер карты (16–19 цифр) или счёт (20 цифр) и БИК (9 цифр).",
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Invalid {}
