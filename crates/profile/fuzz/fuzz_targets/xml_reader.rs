//! Arbitrary bytes as a source API's XML body, read as the Worker reads it.
//! Nothing may panic; any document that is read is refused once a DOCTYPE
//! stands before it (so no entity is ever declared); what is read keeps
//! within the depth and element limits; and the same bytes read the same
//! way twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_worker::sources::xml::{Node, XmlError, parse};

fn depth_and_count(node: &Node) -> (usize, usize) {
    node.children
        .iter()
        .map(depth_and_count)
        .fold((1, 1), |(depth, count), (d, c)| (depth.max(d + 1), count + c))
}

fuzz_target!(|data: &[u8]| {
    let read = parse(data);
    match &read {
        Ok(root) => {
            let text = std::str::from_utf8(data).expect("only UTF-8 is read");
            let (depth, count) = depth_and_count(root);
            assert!(depth <= 16 && count <= 2000, "{depth} levels, {count} elements");
            let declared = format!("<!DOCTYPE a [<!ENTITY e \"x\">]>{text}");
            assert_eq!(parse(declared.as_bytes()), Err(XmlError::Doctype));
        }
        Err(XmlError::Doctype) => {
            assert!(String::from_utf8_lossy(data).to_ascii_uppercase().contains("<!DOCTYPE"));
        }
        Err(_) => {}
    }
    assert_eq!(parse(data), read, "read differently twice");
});
