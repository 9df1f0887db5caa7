//! The `elder-assess` binary: everything lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    elder_assess::cli::run()
}
