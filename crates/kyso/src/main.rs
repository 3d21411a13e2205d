fn main() {
    std::process::exit(kyso::cli::run());
}
