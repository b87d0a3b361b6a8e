//! `installment-proxy [--config FILE] [--listen ADDR]`: sandbox mode without a config file.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use clap::Parser;
    use installment_proxy::{AppState, Config, app};
    use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc};

    /// The merchant proxy: one installment API over five providers.
    #[derive(Parser)]
    #[command(version, about)]
    struct Arguments {
        /// TOML configuration; without it every provider is simulated (sandbox mode).
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        /// Address to listen on; overrides `listen` in the file (port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        /// Prints a signed order intent (JSON), as a merchant's backend would make one: for
        /// testing. The key is `intent_key` of --config, or INSTALLMENT_PROXY_INTENT_KEY.
        SignIntent {
            /// The merchant's order id.
            #[arg(long)]
            order_id: String,
            /// ISO 4217 code.
            #[arg(long)]
            currency: String,
            /// An item as `SKU:QUANTITY:PRICE:NAME` (repeat for more).
            #[arg(long = "item", required = true, value_name = "SKU:QUANTITY:PRICE:NAME")]
            items: Vec<String>,
            /// Seconds until the intent expires (at most a day).
            #[arg(long, default_value_t = 900)]
            expires_in: u64,
        },
    }

    let arguments = Arguments::parse();
    let config = match &arguments.config {
        Some(path) => Config::load(path),
        None => Config::from_toml_with_env("sandbox = true", |key| std::env::var(key).ok()),
    };
    let mut config = match config {
        Ok(config) => config,
        Err(error) => {
            eprintln!("installment-proxy: {error}");
            return ExitCode::from(2);
        }
    };
    // The log starts once the configuration says how it is written.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "installment_proxy=info,tower_http=warn".into());
    let log = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        installment_proxy::LogFormat::Json => log.json().init(),
        installment_proxy::LogFormat::Text => log.init(),
    }
    if let Some(Command::SignIntent {
        order_id,
        currency,
        items,
        expires_in,
    }) = arguments.command
    {
        return sign_intent(&config, order_id, currency, &items, expires_in);
    }
    if let Some(listen) = arguments.listen {
        config.listen = listen;
    }
    if arguments.config.is_none() {
        // The demo runs from a checkout: serve its storefront and the built widget.
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        config.static_dir.get_or_insert(root.join("www"));
        config.widget_dir.get_or_insert(root.join("pkg"));
    }
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "installment-proxy: cannot listen on {}: {error}",
                config.listen
            );
            return ExitCode::from(2);
        }
    };
    let address = listener
        .local_addr()
        .expect("a bound socket has an address");
    // Providers post webhooks to, and shoppers return to, the address actually bound.
    config
        .public_url
        .get_or_insert_with(|| format!("http://{address}"));
    let state = match AppState::new(&config).await {
        Ok(state) => state,
        Err(error) => {
            eprintln!("installment-proxy: {error}");
            return ExitCode::from(2);
        }
    };
    let mode = if config.sandbox {
        "sandbox mode: every provider is simulated"
    } else {
        "live"
    };
    println!("installment-proxy listening on http://{address}/ ({mode})");
    let state = Arc::new(state);
    installment_proxy::reconcile::spawn(state.clone(), config.reconcile);
    // On SIGTERM the requests in flight and the callbacks in flight finish side by side,
    // both within the one deadline.
    let terminated = tokio_util::sync::CancellationToken::new();
    tokio::spawn({
        let terminated = terminated.clone();
        async move {
            installment_proxy::serve::terminated().await;
            terminated.cancel();
        }
    });
    let drain = config.server.drain;
    tokio::join!(
        installment_proxy::serve::serve(
            listener,
            app(state.clone()),
            config.server,
            terminated.cancelled()
        ),
        async {
            terminated.cancelled().await;
            state.wind_down(drain).await;
        },
    );
    ExitCode::SUCCESS
}

/// `installment-proxy sign-intent`: the intent a merchant's backend would sign, on stdout.
#[cfg(not(target_arch = "wasm32"))]
fn sign_intent(
    config: &installment_proxy::Config,
    order_id: String,
    currency: String,
    items: &[String],
    expires_in: u64,
) -> std::process::ExitCode {
    use installment_core::{Currency, Money};
    use installment_proxy::intent::{IntentItem, OrderIntent};
    let fail = |message: String| {
        eprintln!("installment-proxy sign-intent: {message}");
        std::process::ExitCode::from(2)
    };
    let Some(key) = &config.intent_key else {
        return fail("no key: set intent_key in --config or INSTALLMENT_PROXY_INTENT_KEY".into());
    };
    let code = match Currency::from_code(&currency) {
        Ok(code) => code,
        Err(error) => return fail(format!("--currency: {error}")),
    };
    let mut parsed = Vec::new();
    let mut total = 0_i64;
    for item in items {
        let parts: Vec<&str> = item.splitn(4, ':').collect();
        let [sku, quantity, price, name] = parts[..] else {
            return fail(format!("--item {item:?}: expected SKU:QUANTITY:PRICE:NAME"));
        };
        let Ok(quantity) = quantity.parse::<u32>() else {
            return fail(format!("--item {item:?}: quantity must be a whole number"));
        };
        let price = match Money::parse(price, code) {
            Ok(price) => price,
            Err(error) => return fail(format!("--item {item:?}: {error}")),
        };
        total += price.minor() * i64::from(quantity);
        parsed.push(IntentItem {
            sku: sku.to_owned(),
            name: name.to_owned(),
            quantity,
            price: price.to_string(),
            category: None,
        });
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let intent = OrderIntent {
        order_id,
        amount: Money::from_minor(total, code).to_string(),
        currency: code.code().to_owned(),
        items: parsed,
        expires_at: now + expires_in,
        signature: String::new(),
    }
    .sign(key.expose().as_bytes());
    match serde_json::to_string_pretty(&intent) {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => fail(error.to_string()),
    }
}

/// The proxy is a server; on wasm32 there is nothing to run.
#[cfg(target_arch = "wasm32")]
fn main() {}
