//! `elder-assess-server`: the county server's command line (`migrate`, `serve`,
//! `account add|list`, `device list|revoke`). Start-up errors are Chinese messages and
//! exit code 2.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use elder_assess_server::{ServerError, admin, county, http, migrate};

/// 老年人能力评估 县级服务器
#[derive(Parser)]
#[command(name = "elder-assess-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 建立或升级数据库结构
    Migrate {
        /// `PostgreSQL` 地址，如 `postgres://user@127.0.0.1:5432/elder`
        #[arg(long)]
        database_url: String,
    },
    /// 启动 HTTPS 服务（启动时自动升级数据库结构）
    Serve {
        #[arg(long)]
        database_url: String,
        /// 监听地址，如 0.0.0.0:8443
        #[arg(long)]
        listen: SocketAddr,
        /// 县级根证书签发的服务器证书（PEM）
        #[arg(long)]
        tls_cert: PathBuf,
        /// 服务器私钥（PKCS#8 PEM）
        #[arg(long)]
        tls_key: PathBuf,
        /// 县级政策文件（RON）；缺省用内置的
        #[arg(long)]
        county_file: Option<PathBuf>,
        /// 放有县级根证书和吊销列表（PEM）的目录
        #[arg(long)]
        trust: PathBuf,
        /// 时间戳服务证书（PEM，elder-assess ca issue-tsa 签发）；给出时每份收到的报告都加盖时间戳
        #[arg(long, requires = "tsa_key")]
        tsa_cert: Option<PathBuf>,
        /// 时间戳服务私钥（PKCS#8 PEM）
        #[arg(long, requires = "tsa_cert")]
        tsa_key: Option<PathBuf>,
    },
    /// U盘数据包：导入（验证每个签名、证书和摘要；重复导入不重复保存）
    Package {
        #[command(subcommand)]
        command: PackageCommand,
    },
    /// 取出服务器保存的一份评估报告（已加盖时间戳时为 PAdES B-T）
    Report {
        #[arg(long)]
        database_url: String,
        /// 评估编号（A.1.1）
        number: String,
        /// 写入的 PDF 文件（不覆盖已有文件）
        #[arg(long)]
        out: PathBuf,
    },
    /// 账号
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// 设备
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// 新建账号（密码取自环境变量 `ELDER_ASSESS_PASSWORD` 或提示输入）
    Add {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// admin、assessor 或 reviewer
        #[arg(long)]
        role: String,
    },
    /// 列出账号
    List {
        #[arg(long)]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum PackageCommand {
    /// 导入一个U盘数据包（elder-assess package export 写出的文件）
    Import {
        #[arg(long)]
        database_url: String,
        /// 数据包文件
        file: PathBuf,
        /// 县级政策文件（RON）；缺省用内置的
        #[arg(long)]
        county_file: Option<PathBuf>,
        /// 放有县级根证书和吊销列表（PEM）的目录
        #[arg(long)]
        trust: PathBuf,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// 列出设备
    List {
        #[arg(long)]
        database_url: String,
    },
    /// 停用设备（编号或代码）
    Revoke {
        #[arg(long)]
        database_url: String,
        /// 设备编号或代码（D001）
        device: String,
    },
}

fn password() -> Result<String, ServerError> {
    if let Ok(password) = std::env::var("ELDER_ASSESS_PASSWORD") {
        return Ok(password);
    }
    rpassword::prompt_password("新账号密码：")
        .map_err(|_| ServerError::BadRequest("无法读取密码".to_owned()))
}

async fn run(cli: Cli) -> Result<(), ServerError> {
    let now = chrono::Utc::now();
    match cli.command {
        Command::Migrate { database_url } => {
            let pool = elder_assess_server::pool(&database_url)?;
            let mut client = pool.get().await?;
            let version = migrate::migrate(&mut client).await?;
            println!("数据库结构版本：{version}");
        }
        Command::Serve {
            database_url,
            listen,
            tls_cert,
            tls_key,
            county_file,
            trust,
            tsa_cert,
            tsa_key,
        } => {
            let mut county = load_county(county_file.as_deref(), &trust)?;
            if let (Some(cert), Some(key)) = (&tsa_cert, &tsa_key) {
                county.tsa = Some(std::sync::Arc::new(county::load_tsa(cert, key)?));
            }
            let server = elder_assess_server::open(&database_url, county).await?;
            http::serve_tls(server, listen, &tls_cert, &tls_key).await?;
        }
        Command::Account { command: AccountCommand::Add { database_url, login, name, role } } => {
            let pool = elder_assess_server::pool(&database_url)?;
            admin::add_account(&pool, &login, &name, &role, &password()?, now).await?;
            println!("已新建账号 {}", login.trim());
        }
        Command::Account { command: AccountCommand::List { database_url } } => {
            let pool = elder_assess_server::pool(&database_url)?;
            for a in admin::accounts(&pool).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    a.login,
                    a.display_name,
                    a.role,
                    if a.active { "在用" } else { "停用" }
                );
            }
        }
        Command::Package {
            command: PackageCommand::Import { database_url, file, county_file, trust },
        } => {
            let bytes = std::fs::read(&file).map_err(|e| ServerError::File {
                what: "U盘数据包",
                path: file.display().to_string(),
                reason: e.to_string(),
            })?;
            let county = load_county(county_file.as_deref(), &trust)?;
            let server = elder_assess_server::open(&database_url, county).await?;
            let answer =
                elder_assess_server::package_import::import_package(&server, &bytes, now).await?;
            let refused = print_outcomes(&answer);
            if refused > 0 {
                return Err(ServerError::BadRequest(format!("{refused} 项被拒收（原因见上）")));
            }
        }
        Command::Report { database_url, number, out } => {
            let pool = elder_assess_server::pool(&database_url)?;
            let pdf = admin::stored_report(&pool, &number).await?;
            let file_error = |reason: String| ServerError::File {
                what: "报告文件",
                path: out.display().to_string(),
                reason,
            };
            if out.exists() {
                return Err(file_error("文件已存在，不覆盖".to_owned()));
            }
            elder_assess::output::atomic::write_atomically(&out, &pdf)
                .map_err(|e| file_error(e.to_string()))?;
            println!("已写出 {}（{} 字节）", out.display(), pdf.len());
        }
        Command::Device { command: DeviceCommand::List { database_url } } => {
            let pool = elder_assess_server::pool(&database_url)?;
            for d in admin::devices(&pool).await? {
                let state = if d.revoked { "已停用" } else { "在用" };
                println!(
                    "{}\t{}\t{}\t{}\t{state}\t{}",
                    d.code,
                    d.id,
                    d.name,
                    d.enrolled_by,
                    d.audit_head.unwrap_or_default()
                );
            }
        }
        Command::Device { command: DeviceCommand::Revoke { database_url, device } } => {
            let pool = elder_assess_server::pool(&database_url)?;
            admin::revoke_device(&pool, &device, now).await?;
            println!("已停用设备 {}", device.trim());
        }
    }
    Ok(())
}

/// The county (its file, default the bundled one) and the trust in `trust`.
fn load_county(
    county_file: Option<&std::path::Path>,
    trust: &std::path::Path,
) -> Result<county::CountyConfig, ServerError> {
    let policy = match county_file {
        Some(path) => elder_assess::policy::load_file(path).map_err(|e| ServerError::File {
            what: "县级政策文件",
            path: path.display().to_string(),
            reason: e.to_string(),
        })?,
        None => elder_assess::policy::bundled(elder_assess::policy::DEFAULT_POLICY_ID)
            .ok()
            .flatten()
            .ok_or_else(|| ServerError::BadRequest("内置县级政策文件无法读取".to_owned()))?,
    };
    county::CountyConfig::load(&policy, trust)
}

/// Prints what became of each imported item; returns how many were refused.
fn print_outcomes(answer: &elder_assess::sync::protocol::PushResponse) -> usize {
    use elder_assess::sync::protocol::ItemOutcome;
    let mut refused = 0;
    for (kind, items) in [("信封", &answer.envelopes), ("审核决定", &answer.decisions)] {
        for item in items {
            let what = match &item.outcome {
                ItemOutcome::Accepted { .. } => "已接收".to_owned(),
                ItemOutcome::Duplicate { .. } => "此前已接收".to_owned(),
                ItemOutcome::Conflict => "同一编号内容不同：已保存并标记冲突，待复核".to_owned(),
                ItemOutcome::Refused { reason } => {
                    refused += 1;
                    format!("拒收：{reason}")
                }
            };
            println!("{kind} {}：{what}", item.id);
        }
    }
    refused
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("错误：无法启动运行时：{err}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误：{err}");
            ExitCode::from(2)
        }
    }
}
