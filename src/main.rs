//! The `ripple` command line: parses arguments and hands over to [`cli`].

mod cli;

/// mimalloc rather than the system allocator: batch validation allocates and frees every
/// derived record of every line, on every core (README, "Benchmarks").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
