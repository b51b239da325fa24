//! Wiring only: parse the command line, pick the data source, run.

fn main() {
    println!("irsa-inspector: skeleton");
}
