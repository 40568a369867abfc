//! Why an input was refused. Each variant is a reason a user can act on; its Russian wording
//! is the `[invalid]` section of `templates/text/ru.toml`, keyed by [`Invalid::code`].

use crate::text::{self, keyed_enum};
use std::fmt;

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Invalid: code {
        PhoneEmpty = "phone_empty",
        PhoneChars = "phone_chars",
        PhoneLength = "phone_length",
        PhoneNotRussian = "phone_not_russian",
        NameEmpty = "name_empty",
        NameTooLong = "name_too_long",
        NameChars = "name_chars",
        NameOneWord = "name_one_word",
        NameSentence = "name_sentence",
        DateFormat = "date_format",
        BirthDateFuture = "birth_date_future",
        BirthDateTooOld = "birth_date_too_old",
        CityEmpty = "city_empty",
        CityTooLong = "city_too_long",
        CityUnknown = "city_unknown",
        TagEmpty = "tag_empty",
        TagTooLong = "tag_too_long",
        MoneyFormat = "money_format",
        MoneyNegative = "money_negative",
        MoneyKopecks = "money_kopecks",
        MoneyTooLarge = "money_too_large",
        CurrencyUnknown = "currency_unknown",
        PassportSeries = "passport_series",
        PassportNumber = "passport_number",
        ForeignPassportNumber = "foreign_passport_number",
        IssuerEmpty = "issuer_empty",
        IssuerLetters = "issuer_letters",
        LatinName = "latin_name",
        ExpiryBeforeIssue = "expiry_before_issue",
        IssueDateFuture = "issue_date_future",
        IssuedBeforeBirth = "issued_before_birth",
        InternalPassportUnder14 = "internal_passport_under_14",
        TextEmpty = "text_empty",
        TextTooLong = "text_too_long",
        RoleUnknown = "role_unknown",
        LoginFormat = "login_format",
        KindUnknown = "kind_unknown",
        ReasonRequired = "reason_required",
        ReasonMeaningless = "reason_meaningless",
        /// A time of day not as HH:MM.
        TimeFormat = "time_format",
        /// A notification's lead time out of its range.
        LeadDays = "lead_days",
        /// A broadcast planned for a moment that has passed.
        SendAtPast = "send_at_past",
        /// A broadcast's time that is not a date and a time.
        SendAtFormat = "send_at_format",
        /// A broadcast without the tour it advertises.
        TourRequired = "tour_required",
        PaymentDetails = "payment_details",
        PasswordTooShort = "password_too_short",
        ConsentRequired = "consent_required",
        CurrencyMismatch = "currency_mismatch",
        NoPriceForDate = "no_price_for_date",
        TravellersCount = "travellers_count",
        RoomNotInTour = "room_not_in_tour",
        RoomsTooSmall = "rooms_too_small",
        AmountZero = "amount_zero",
        TitleEmpty = "title_empty",
        DatesOrder = "dates_order",
        PackageNeedsHotel = "package_needs_hotel",
        NoDepartures = "no_departures",
        CommissionRange = "commission_range",
        RoutePoint = "route_point",
        CapacityRange = "capacity_range",
        NightsRange = "nights_range",
        MealPlanUnknown = "meal_plan_unknown",
        StarsRange = "stars_range",
        EmailFormat = "email_format",
        IntlPhoneFormat = "intl_phone_format",
        TelegramUsername = "telegram_username",
        FieldTooLong = "field_too_long",
        CountryEmpty = "country_empty",
        RoomCapacity = "room_capacity",
        SeasonsOverlap = "seasons_overlap",
        FreeDaysRange = "free_days_range",
        RuleDays = "rule_days",
        RuleInFreeWindow = "rule_in_free_window",
        RulesOverlap = "rules_overlap",
        PenaltyRange = "penalty_range",
        AllotmentRange = "allotment_range",
        DateTimeFormat = "date_time_format",
        TimeFuture = "time_future",
        PercentFormat = "percent_format",
        ManagerNotOfHotel = "manager_not_of_hotel",
        HotelArchived = "hotel_archived",
        RoomArchived = "room_archived",
        /// A well-formed date the calendar lacks: 31.02, 29.02 of a common year.
        NoSuchDate = "no_such_date",
        /// A tour at 0 ₽ a person.
        TourPriceZero = "tour_price_zero",
        /// A departure with no seats.
        SeatsZero = "seats_zero",
        /// A tour to publish whose dates to come all have 0 seats.
        NoSeats = "no_seats",
        // The agency's requisites and the tour operators' registry data (documents).
        RequisiteEmpty = "requisite_empty",
        InnFormat = "inn_format",
        InnChecksum = "inn_checksum",
        OgrnFormat = "ogrn_format",
        OgrnChecksum = "ogrn_checksum",
        BikFormat = "bik_format",
        AccountFormat = "account_format",
        AccountChecksum = "account_checksum",
        CorrAccountChecksum = "corr_account_checksum",
        RegistryNumber = "registry_number",
        SecurityKindUnknown = "security_kind_unknown",
        AddressTooShort = "address_too_short",
        // Travellers' documents.
        DivisionCode = "division_code",
        BirthCertificateSeries = "birth_certificate_series",
        BirthCertificateNumber = "birth_certificate_number",
        PaymentHolder = "payment_holder",
        BankEmpty = "bank_empty",
        // The financial reports' filters.
        /// A report's period longer than the reports allow.
        PeriodTooLong = "period_too_long",
        /// A report filter naming an operator, agent or destination that does not exist.
        ReportFilterUnknown = "report_filter_unknown",
        /// A report's `?format=` other than csv or xlsx.
        ExportFormat = "export_format",
        // The accountant's operations and commission rates (issue #15).
        PayeeUnknown = "payee_unknown",
        BookingNumberMissing = "booking_number_missing",
        DocumentNumberRequired = "document_number_required",
        AppliesFromPast = "applies_from_past",
        /// A KPI page's `?table=` that names none of its tables.
        KpiTable = "kpi_table",
    }
}

impl Invalid {
    /// The Russian explanation, for every front-end: the bot, the panel, the CLI.
    pub fn message_ru(&self) -> &'static str {
        text::get("invalid", self.code())
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Invalid {}
