//! `tourcrm serve`: the panel's HTTP server, the bot when configured, and the scheduler, with
//! a clean shutdown on Ctrl-C or SIGTERM.

use crate::config::Config;
use crate::scheduler;
use crate::startup::{self, StartError};
use crm::domain::Role;
use crm::services::NewStaffInput;
use crm::{Actor, text};
use tokio::sync::watch;

pub async fn run(config: Config) -> Result<(), StartError> {
    tracing::info!(
        data_dir = %config.data_dir.display(),
        redis = config.redis_url.is_some(),
        public_url = config.public_url.as_deref().unwrap_or("-"),
        "starting tourcrm"
    );
    let crm = startup::open_crm(&config).await?;
    first_admin(&crm).await?;
    if !crm.telegram_payments_enabled() {
        tracing::info!(
            "Telegram Payments are off: set TOURCRM_TELEGRAM_PAYMENT_TOKEN (a payment provider token from @BotFather) to turn them on"
        );
    }

    let listener = tokio::net::TcpListener::bind(config.http_addr)
        .await
        .map_err(|e| StartError::Other(format!("TOURCRM_HTTP_ADDR: cannot listen on {}: {e}", config.http_addr)))?;
    tracing::info!(addr = %config.http_addr, "admin panel listening on http://{}", config.http_addr);

    let mut sender = None;
    let mut bot = match startup::bot_settings(&config) {
        Some(settings) => {
            // One sending rate for replies and the outbox together.
            let budget = bot::SendBudget::new(settings.global_rate);
            let texts = bot::texts(&crm)?;
            sender = Some(bot::outbox::OutboxSender::new(&settings, budget.clone(), &texts)?);
            let running = bot::start(&settings, crm.clone(), budget, texts).await?;
            tracing::info!(
                api = settings.api_url.as_deref().unwrap_or("https://api.telegram.org"),
                "Telegram bot started ({}); dialogue state in {}",
                if settings.webhook_url.is_some() { "webhook" } else { "long polling" },
                if settings.redis_url.is_some() { "Redis" } else { "the database" }
            );
            Some(running)
        }
        None => {
            tracing::info!("Telegram bot is off: set TELOXIDE_TOKEN (a token from @BotFather) to turn it on");
            None
        }
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    let jobs = scheduler::Settings { tick: config.scheduler_tick, daytime: config.notify_hours, sender };
    let scheduler = tokio::spawn(scheduler::run(crm.clone(), jobs, stop_rx));

    let mut state =
        admin_web::AppState::configured(crm.clone(), config.public_url.as_deref(), config.bot_username.clone());
    // The signing Mini App checks Telegram's initData with the bot's token.
    if let Some(token) = &config.telegram_token {
        state = state.with_bot_token(secrecy::ExposeSecret::expose_secret(token));
    }
    if let Some(redis) = bot.as_ref().and_then(|b| b.redis.clone()) {
        state = state.with_redis(admin_web::health::Probe::new(move || redis.is_up()));
    }
    let mut app = admin_web::router(state);
    // Webhook mode: Telegram's updates arrive on the same server, outside the panel's
    // sign-in (the bot's route checks X-Telegram-Bot-Api-Secret-Token instead, in constant time).
    if let Some(hook) = bot.as_mut().and_then(|b| b.webhook.take()) {
        app = app.merge(hook);
    }
    // Connect info gives the panel each request's peer address (the per-address sign-in limit).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;

    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    // Each step gets a deadline: a stuck request must not keep the process from exiting.
    let step = |what: &'static str| move |_| tracing::warn!("shutdown: {what} did not finish in time");
    let grace = std::time::Duration::from_secs(5);
    // The sender finishes the requests in flight (up to 10 s) so none is left in doubt.
    tokio::time::timeout(grace * 3, scheduler).await.map(|_| ()).unwrap_or_else(step("the scheduler"));
    if let Some(bot) = bot {
        tokio::time::timeout(grace, bot.stop()).await.unwrap_or_else(step("the bot"));
    }
    tokio::time::timeout(grace, crm.store().close()).await.unwrap_or_else(step("the database pool"));
    Ok(())
}

/// On a new, empty database: create the first admin and print its one-time password once.
async fn first_admin(crm: &crm::Crm) -> Result<(), StartError> {
    if crm.staff_count().await? > 0 {
        return Ok(());
    }
    let created = crm
        .add_staff(
            &Actor::System,
            NewStaffInput { login: "admin", name: text::get("cli", "first_admin_name"), role: Role::Admin },
        )
        .await?;
    println!("============================================================");
    println!(" {}", text::get("cli", "first_admin_created"));
    println!(" {}", text::fill("cli", "first_admin_login", &[("login", &created.staff.login)]));
    println!(" {}", text::fill("cli", "first_admin_password", &[("password", &created.password)]));
    println!(" {}", text::get("cli", "first_admin_note"));
    println!("============================================================");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
