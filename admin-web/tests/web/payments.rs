//! Online payments in the panel: YooKassa's notification route (outside the sign-in and CSRF
//! guard, the source address checked) and the accountant's page with «Вернуть».

use crate::helpers::{TestApp, spawn_with};
use admin_web::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use crm::domain::{BookingStatus, Currency, Money, Role};
use crm::services::payments::{OnlineMethod, OnlinePaymentRequest, OnlinePaymentStatus};
use crm::{Actor, Crm};
use std::net::SocketAddr;
use testkit::{Backend, FakeYooKassa, backends};

const YOOKASSA: &str = "185.71.76.20:443";

impl TestApp {
    async fn notify_from(&self, from: &str, body: Vec<u8>) -> StatusCode {
        let peer: SocketAddr = from.parse().unwrap();
        let req = Request::post("/webhooks/yookassa")
            .header("content-type", "application/json")
            .extension(ConnectInfo(peer))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await.status
    }
}

/// A panel whose CRM takes payments through `fake`, and a booking of 50 000 ₽ with a signed
/// contract: (app, the same CRM with payments, the booking, its client).
async fn shop(backend: Backend, fake: &FakeYooKassa) -> (TestApp, Crm, crm::domain::BookingId, Actor) {
    let payments = testkit::online_payments(fake, &["185.71.76.0/27"]);
    let with = payments.clone();
    let app = spawn_with(backend, move |crm| AppState::new(crm.with_online_payments(Some(with)))).await;
    let crm = app.crm.clone().with_online_payments(Some(payments));
    let operator = app.staff("oper", Role::Operator).await;
    let agent = app.staff("agent", Role::Agent).await;
    let client = app.client("Клиентова Ольга", "+7 912 111-22-33", Some(&agent)).await;
    let (_, departure) = app.published_tour(&operator).await;
    let booking = app.booking(&agent, &client, departure).await;
    crm.change_booking_status(&Actor::System, booking, BookingStatus::ContractSigned, "подписан").await.unwrap();
    (app, crm, booking, Actor::Client(client.id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_from_yookassa_moves_the_booking_and_a_forged_one_does_not() {
    for backend in backends() {
        let fake = FakeYooKassa::start().await;
        let (app, crm, booking, client) = shop(backend, &fake).await;
        let req = OnlinePaymentRequest {
            booking_id: booking,
            amount: Money::new(2_000_000, Currency::RUB),
            method: OnlineMethod::Sbp,
        };
        let p = crm.create_online_payment(&client, req).await.unwrap();
        let pid = p.provider_payment_id.unwrap();
        fake.succeed(&pid);
        let body = fake.notification("payment.succeeded", &pid, |_| {});
        assert_eq!(app.notify_from("203.0.113.9:443", body.clone()).await, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(app.notify_from(YOOKASSA, b"not json".to_vec()).await, StatusCode::BAD_REQUEST);
        assert_eq!(
            crm.booking_card(&Actor::System, booking).await.unwrap().booking.status,
            BookingStatus::ContractSigned
        );
        assert_eq!(app.notify_from(YOOKASSA, body.clone()).await, StatusCode::OK);
        assert_eq!(app.notify_from(YOOKASSA, body).await, StatusCode::OK, "a replay is answered 200, changes nothing");
        let card = crm.booking_card(&Actor::System, booking).await.unwrap();
        assert_eq!(card.booking.status, BookingStatus::PartiallyPaid);
        assert_eq!(card.operations.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accountant_returns_a_payment_for_a_cancelled_booking_from_the_page() {
    for backend in backends() {
        let fake = FakeYooKassa::start().await;
        let (app, crm, booking, client) = shop(backend, &fake).await;
        let req = OnlinePaymentRequest {
            booking_id: booking,
            amount: Money::new(4_250_000, Currency::RUB),
            method: OnlineMethod::Card,
        };
        let p = crm.create_online_payment(&client, req).await.unwrap();
        let pid = p.provider_payment_id.unwrap();
        crm.change_booking_status(&Actor::System, booking, BookingStatus::CancellationRequested, "отказ")
            .await
            .unwrap();
        crm.change_booking_status(&Actor::System, booking, BookingStatus::Cancelled, "отказ").await.unwrap();
        fake.succeed(&pid);
        assert_eq!(
            app.notify_from(YOOKASSA, fake.notification("payment.succeeded", &pid, |_| {})).await,
            StatusCode::OK
        );

        let (_, buh) = app.signed_in("buh", Role::Accountant).await;
        let page = app.get(&buh, "/payments").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        assert!(page.body.contains(&Money::new(4_250_000, Currency::RUB).accounting()), "{}", page.body);
        assert!(page.body.contains("нужен возврат") && page.body.contains("Вернуть"));
        assert!(page.body.contains("href=\"/payments\""), "the navigation links the page");
        // A reason is required; then the money goes back.
        let url = format!("/payments/{}/refund", p.id);
        assert_eq!(app.post(&buh, &url, &[("reason", " ")]).await.status, StatusCode::BAD_REQUEST);
        let done = app.post(&buh, &url, &[("reason", "бронь аннулирована")]).await;
        assert!(done.redirects_to(&format!("/payments?done={}", p.id)), "{:?} {}", done.status, done.body);
        let all = crm.online_payments_of_booking(&Actor::System, booking).await.unwrap();
        assert_eq!(all[0].status, OnlinePaymentStatus::Refunded);
        let page = app.get(&buh, "/payments").await;
        assert!(page.body.contains("Отметок нет") && page.body.contains("возвращён"), "{}", page.body);
        // Agents do not see it.
        let (_, agent) = app.signed_in("boris", Role::Agent).await;
        assert_eq!(app.get(&agent, "/payments").await.status, StatusCode::FORBIDDEN);
    }
}
