//! Tauri's build step: generates the context (config, capabilities, icons) at compile time.
fn main() {
    tauri_build::build()
}
