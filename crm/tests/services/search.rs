//! Searches as attacks: `%` and `_` typed into a search box are the characters themselves, not
//! `LIKE` wildcards, in every search (tours and clients by `LIKE`, hotels in Rust), on both
//! backends. Before they were escaped a lone `%` listed every client.

use crate::each_backend;
use crate::helpers::new_client;
use crate::hotels::hotel_input;
use crate::sales::excursion;
use crm::domain::{Role, TourId};
use crm::services::{HotelFilter, Tour, TourFilter};
use crm::{Actor, Crm};

fn tour_ids(tours: Vec<Tour>) -> Vec<TourId> {
    let mut ids: Vec<_> = tours.into_iter().map(|t| t.id).collect();
    ids.sort_by_key(|id| id.0);
    ids
}

each_backend!(wildcards_in_a_tour_search_match_only_themselves, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let mut ids = Vec::new();
    for title in ["Скидка 100% на Алтай", "Алтай 1000 км", "Тур_Байкал", "Тур-Байкал", "Ура! Чемал", r"Чемал \ Катунь"]
    {
        let mut input = excursion(title, 50_000);
        // The region is part of what is searched: keep it free of the characters under test.
        input.region = "Сибирь".into();
        ids.push(app.crm.create_tour(&operator, input).await.unwrap().tour.id);
    }
    let [percent, thousand, underscore, hyphen, bang, backslash] = ids[..] else { unreachable!() };
    let search = |text: &'static str| {
        let crm = app.crm.clone();
        let filter = TourFilter { text: Some(text.into()), limit: 50, ..Default::default() };
        async move { tour_ids(crm.list_tours(&Actor::System, filter).await.unwrap()) }
    };
    let b = app.backend;
    assert_eq!(search("%").await, [percent], "{b}: a lone % is not «anything»");
    assert_eq!(search("100%").await, [percent], "{b}: 100% does not find 1000");
    assert_eq!(search("0%").await, [percent], "{b}");
    assert_eq!(search("_").await, [underscore], "{b}: a lone _ is not «any one character»");
    assert_eq!(search("тур_байкал").await, [underscore], "{b}: _ does not match the hyphen");
    assert_eq!(search("тур-байкал").await, [hyphen], "{b}");
    assert_eq!(search("!").await, [bang], "{b}: the escape character is literal too");
    assert_eq!(search("ура! чемал").await, [bang], "{b}");
    assert_eq!(search(r"\").await, [backslash], "{b}: so is a backslash");
    assert_eq!(search("%%").await, Vec::<TourId>::new(), "{b}");
    assert_eq!(search("алтай").await, [percent, thousand], "{b}: plain words still search");
    assert_eq!(search("").await.len(), 6, "{b}: an empty search lists all");
});

each_backend!(wildcards_in_a_client_search_match_only_themselves, |app| {
    // Names and phones cannot contain % or _, so a search for them finds nobody — before the
    // escaping, the stripped query was empty and found everybody.
    let agent = app.actor("anna", Role::Agent).await;
    app.crm.register_client(&agent, new_client("Иванова Мария Петровна", "+7 912 345-67-89")).await.unwrap();
    app.crm.register_client(&agent, new_client("Петров Пётр", "+7 923 000-11-22")).await.unwrap();
    for actor in [Actor::System, agent] {
        for query in ["%", "_", "%%", "ива%", "ив_нова", "%ова", "!", r"\"] {
            let found = app.crm.list_clients(&actor, Crm::search_filter(query)).await.unwrap();
            assert!(found.is_empty(), "{}: «{query}» found {found:?}", app.backend);
        }
        assert_eq!(app.crm.list_clients(&actor, Crm::search_filter("ова")).await.unwrap().len(), 1);
        assert_eq!(app.crm.list_clients(&actor, Crm::search_filter("")).await.unwrap().len(), 2);
    }
});

each_backend!(wildcards_in_a_hotel_search_match_only_themselves, |app| {
    let sys = &Actor::System;
    let crm = &app.crm;
    let percent = crm.create_hotel(sys, hotel_input("Club 100% Relax", "Турция", "Кемер")).await.unwrap();
    crm.create_hotel(sys, hotel_input("Club 1000 Palms", "Турция", "Кемер")).await.unwrap();
    let underscore = crm.create_hotel(sys, hotel_input("Sea_View", "Турция", "Кемер")).await.unwrap();
    crm.create_hotel(sys, hotel_input("Sea-View", "Турция", "Кемер")).await.unwrap();
    let find = |text: &str| HotelFilter { text: Some(text.into()), ..Default::default() };
    let ids = |hs: Vec<crm::services::Hotel>| hs.into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(ids(crm.list_hotels(sys, find("%")).await.unwrap()), [percent.id], "{}", app.backend);
    assert_eq!(ids(crm.list_hotels(sys, find("100%")).await.unwrap()), [percent.id]);
    assert_eq!(ids(crm.list_hotels(sys, find("_")).await.unwrap()), [underscore.id]);
    assert_eq!(ids(crm.list_hotels(sys, find("sea_view")).await.unwrap()), [underscore.id]);
});
