//! `elder-assess-server`: the county server's command line.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
