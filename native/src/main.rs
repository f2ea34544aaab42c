//! orch-native: code tools for orch's agents, served as newline-delimited JSON-RPC 2.0 on stdio.
mod files;
mod glob;
mod grep;
mod lang;
mod outline;
mod paths;
mod references;
mod rpc;
mod symbols;
mod symbol;

use rpc::{RpcError, RpcResult, METHOD_NOT_FOUND};
use serde_json::Value;
use std::io::{self, BufRead, BufWriter, Write};

/// Routes a method name to its handler.
fn dispatch(method: &str, params: Value) -> RpcResult {
    match method {
        "ping" => Ok("{}".to_string()),
        "languages" => Ok(lang::languages_json().to_string()),
        "grep" => grep::grep(params),
        "glob" => glob::glob(params),
        "outline" => outline::outline(params),
        "references" => references::references(params),
        "symbol" => symbol::symbol(params),
        other => Err(RpcError::new(METHOD_NOT_FOUND, format!("unknown method {other:?}"))),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--version") {
        println!("orch-native {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    // Handler panics are caught and answered with -32603; report each as one line on stderr.
    std::panic::set_hook(Box::new(|info| eprintln!("orch-native: {info}")));
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break, // EOF: the client closed stdin, a clean shutdown.
            Ok(_) => {}
            Err(e) => {
                eprintln!("orch-native: stdin: {e}");
                break;
            }
        }
        let trimmed = trim(&line);
        if trimmed.is_empty() {
            continue;
        }
        if let Some(reply) = rpc::handle_line(trimmed, &dispatch) {
            if out.write_all(reply.as_bytes()).and_then(|_| out.write_all(b"\n")).and_then(|_| out.flush()).is_err() {
                break; // The client went away.
            }
        }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && (b[end - 1] == b'\n' || b[end - 1] == b'\r' || b[end - 1] == b' ') {
        end -= 1;
    }
    &b[..end]
}
