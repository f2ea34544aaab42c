// Compiles the tree-sitter grammars from the pinned npm grammar packages (node_modules/) into
// the binary. Each grammar gets its own OUT_DIR subfolder: cc 1.0.73 races when several builds
// share one folder.
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;

/// (link name, package folder relative to node_modules, src folder inside the package)
const GRAMMARS: &[(&str, &str, &str)] = &[
    ("typescript", "tree-sitter-typescript", "typescript/src"),
    ("tsx", "tree-sitter-typescript", "tsx/src"),
    ("javascript", "tree-sitter-javascript", "src"),
    ("python", "tree-sitter-python", "src"),
    ("rust", "tree-sitter-rust", "src"),
    ("go", "tree-sitter-go", "src"),
];

/// The Debian tree-sitter runtime (0.20.7) accepts grammar ABI 13..=14 only.
const MAX_ABI: u32 = 14;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let modules = env::var("ORCH_GRAMMARS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("..").join("node_modules"));
    println!("cargo:rerun-if-env-changed=ORCH_GRAMMARS_DIR");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    let mut jobs = Vec::new();
    for &(name, pkg, sub) in GRAMMARS {
        let src = modules.join(pkg).join(sub);
        let parser = src.join("parser.c");
        if !parser.is_file() {
            panic!(
                "orch-native: grammar source {} is missing. Run `npm ci` at the repo root first \
                 (the grammar npm packages are devDependencies), or set ORCH_GRAMMARS_DIR.",
                parser.display()
            );
        }
        check_abi(&parser);
        println!("cargo:rerun-if-changed={}", parser.display());
        let scanner = src.join("scanner.c");
        let dir = out.join(format!("grammar-{name}"));
        fs::create_dir_all(&dir).unwrap();
        jobs.push(thread::spawn(move || {
            let mut b = cc::Build::new();
            b.include(&src)
                .file(&parser)
                .out_dir(&dir)
                .opt_level(3)
                .warnings(false)
                .flag_if_supported("-std=c11")
                .flag_if_supported("-Wno-unused-parameter");
            if scanner.is_file() {
                b.file(&scanner);
            }
            b.compile(&format!("ts-grammar-{name}"));
        }));
    }
    for j in jobs {
        j.join().expect("a grammar failed to compile");
    }
}

fn check_abi(parser: &Path) {
    let text = fs::read_to_string(parser).unwrap_or_default();
    let abi = text
        .lines()
        .find_map(|l| l.strip_prefix("#define LANGUAGE_VERSION "))
        .and_then(|v| v.trim().parse::<u32>().ok());
    match abi {
        Some(v) if v <= MAX_ABI => {}
        other => panic!(
            "orch-native: {} has grammar ABI {:?}; Debian's tree-sitter runtime accepts at most {}. \
             Pin the ABI-14 grammar versions in package.json (see docs/NATIVE.md).",
            parser.display(),
            other,
            MAX_ABI
        ),
    }
}
