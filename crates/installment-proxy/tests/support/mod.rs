//! What the process-level tests share: starting the proxy's binary, and a throw-away
//! PostgreSQL cluster: Debian's `postgresql` package (installed by
//! `scripts/setup`), `initdb` in a temporary directory, started on a free loopback port and
//! stopped, with its directory removed, when dropped.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// The proxy's binary, as a merchant runs it.
pub const BINARY: &str = env!("CARGO_BIN_EXE_installment-proxy");

/// Starts the proxy and reads the address it prints.
pub fn start(arguments: &[&str], log_filter: &str) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(arguments)
        .env("RUST_LOG", log_filter)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Log lines (the migrations applied, say) may come before the address.
    let mut stdout = BufReader::new(child.stdout.as_mut().unwrap());
    let address = loop {
        let mut line = String::new();
        let read = stdout.read_line(&mut line).unwrap();
        assert_ne!(read, 0, "the proxy printed no address");
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.trim_end_matches('/').to_owned();
        }
    };
    (child, address)
}

/// A running cluster of its own.
pub struct Cluster {
    directory: PathBuf,
    binaries: PathBuf,
    port: u16,
}

/// The directory of `initdb` and `pg_ctl`: Debian keeps them out of `PATH`, one directory per
/// major version; the newest is taken.
fn binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin: \
         run scripts/setup, which installs Debian's postgresql package",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL program to run; as root, as the `postgres` user the package creates, since
/// PostgreSQL refuses to run as root.
fn command(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs a PostgreSQL program and insists that it succeeds.
fn run(program: &Path, arguments: &[&str]) {
    let output = command(program).args(arguments).output().unwrap();
    assert!(
        output.status.success(),
        "{} {arguments:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Cluster {
    /// `initdb` and start a new cluster; `fsync` off, as nothing here outlives the test.
    pub fn start() -> Self {
        let binaries = binaries();
        let directory = std::env::temp_dir().join(format!(
            "installment-pg-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&directory).unwrap();
        if is_root() {
            let chown = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&directory)
                .status()
                .unwrap();
            assert!(chown.success());
        }
        let data = directory.join("data");
        run(
            &binaries.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "installment",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self {
            directory,
            binaries,
            port,
        };
        cluster.resume();
        cluster
    }

    fn pg_ctl(&self, arguments: &[&str]) {
        let data = self.directory.join("data");
        let mut all = vec!["-D", data.to_str().unwrap()];
        all.extend_from_slice(arguments);
        run(&self.binaries.join("pg_ctl"), &all);
    }

    /// Stops the server (the database becomes unreachable); [`Cluster::resume`] starts it.
    pub fn pause(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }

    /// Starts the server on its port, waiting until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.directory.display()
        );
        let log = self.directory.join("log");
        self.pg_ctl(&["-l", log.to_str().unwrap(), "-o", &options, "-w", "start"]);
    }

    /// The URL of database `name` in this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://installment@127.0.0.1:{}/{name}", self.port)
    }

    /// A new, empty database: its URL.
    pub async fn database(&self) -> String {
        let name = format!("shop_{}", rand::random::<u32>());
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        self.url(&name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Already stopped by `pause` is fine: only the directory must go.
        let _ = command(&self.binaries.join("pg_ctl"))
            .arg("-D")
            .arg(self.directory.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
