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
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Address to listen on; overrides `listen` in the file (port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    }

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "installment_proxy=info,tower_http=warn".into()),
        )
        .init();
    let arguments = Arguments::parse();
    let config = match &arguments.config {
        Some(path) => Config::load(path),
        None => Ok(Config::sandbox()),
    };
    let mut config = match config {
        Ok(config) => config,
        Err(error) => {
            eprintln!("installment-proxy: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(listen) = arguments.listen {
        config.listen = listen;
    }
    if arguments.config.is_none() {
        // The demo runs from a checkout: serve its storefront and the built widget.
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        config.static_dir.get_or_insert(root.join("www"));
        config.widget_dir.get_or_insert(root.join("pkg"));
    }
    let state = match AppState::new(&config).await {
        Ok(state) => state,
        Err(error) => {
            eprintln!("installment-proxy: {error}");
            return ExitCode::from(2);
        }
    };
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
    let mode = if config.sandbox {
        "sandbox mode: every provider is simulated"
    } else {
        "live"
    };
    println!("installment-proxy listening on http://{address}/ ({mode})");
    let service = app(Arc::new(state)).into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("installment-proxy: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The proxy is a server; on wasm32 there is nothing to run.
#[cfg(target_arch = "wasm32")]
fn main() {}
