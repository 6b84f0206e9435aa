//! Prints the manual page ocf_croit_container(7), written from the same
//! declarations as the meta-data:
//!   cargo run -q --example man_page > agents/ocf_croit_container.7
//! tests/man.rs fails when the committed page differs.

fn main() {
    print!("{}", croit_container::agent::man_page());
}
