//! `embed_migrations!` reads `migrations/` at compile time, and cargo does not know that: without
//! this, a migration added or edited since the last build is not in the binary until some Rust
//! file changes too (diesel_migrations' documentation asks for this line).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
