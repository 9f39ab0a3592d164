//! XML as the source APIs' .NET DataContract serializer writes it: elements
//! with namespaces, `i:nil="true"` for null, text values. Read into a small
//! tree by quick-xml, safely: a DOCTYPE is refused, so no entity can be
//! declared (no billion laughs, no external entity), and so is any entity
//! reference but XML's five and character references; the depth and the
//! number of elements are limited.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The namespace of `i:nil`.
pub const INSTANCE: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// At most this many levels of elements, and this many elements in all.
const MAX_DEPTH: usize = 16;
const MAX_ELEMENTS: usize = 2000;

/// An element: its namespace and local name, whether it is `i:nil`, its
/// text, and its child elements.
#[derive(Debug, Default, PartialEq)]
pub struct Node {
    pub namespace: String,
    pub name: String,
    pub nil: bool,
    pub text: String,
    pub children: Vec<Node>,
}

/// Why a body is not XML this reader takes.
#[derive(Debug, PartialEq)]
pub enum XmlError {
    Doctype,
    Entity(String),
    TooDeep,
    TooMany,
    Malformed(String),
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            XmlError::Doctype => write!(f, "A DOCTYPE is not accepted."),
            XmlError::Entity(name) => write!(
                f,
                "The entity reference &{name}; is not accepted: only &lt; &gt; &amp; &apos; &quot; and character references are."
            ),
            XmlError::TooDeep => write!(f, "The XML is nested more than {MAX_DEPTH} levels deep."),
            XmlError::TooMany => write!(f, "The XML has more than {MAX_ELEMENTS} elements."),
            XmlError::Malformed(why) => write!(f, "The body is not well-formed XML: {why}."),
        }
    }
}

fn malformed(why: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed(why.to_string())
}

/// The document's root element, with everything below it.
pub fn parse(bytes: &[u8]) -> Result<Node, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("it is not UTF-8"))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0;
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(malformed)?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) => ns.as_ref().to_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(prefix) => {
                return Err(malformed(format!("the prefix {prefix} is not declared")));
            }
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(start) | Event::Empty(start) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(XmlError::TooMany);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                if root.is_some() {
                    return Err(malformed("there is more than one root element"));
                }
                let mut nil = false;
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(malformed)?;
                    let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
                    let is_instance =
                        matches!(ns, ResolveResult::Bound(n) if n.as_ref() == INSTANCE);
                    if is_instance && local.as_ref() == "nil" {
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(malformed)?;
                        nil = value == "true";
                    }
                }
                let node = Node {
                    namespace,
                    name: start.local_name().as_ref().to_owned(),
                    nil,
                    ..Node::default()
                };
                if empty {
                    close(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag has no start"))?;
                close(&mut stack, &mut root, node);
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(malformed("there is text outside the root element")),
                }
            }
            Event::CData(data) => match stack.last_mut() {
                Some(node) => node.text.push_str(&data.xml10_content()),
                None => return Err(malformed("there is text outside the root element")),
            },
            Event::GeneralRef(reference) => {
                let character = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(malformed)?
                        .ok_or_else(|| malformed("a character reference is not a character"))?
                } else {
                    match &*reference {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(XmlError::Entity(other.to_owned())),
                    }
                };
                match stack.last_mut() {
                    Some(node) => node.text.push(character),
                    None => return Err(malformed("there is text outside the root element")),
                }
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("an element is not closed"));
    }
    root.ok_or_else(|| malformed("there is no element"))
}

/// Puts a finished element into its parent, or makes it the root.
fn close(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// Text escaped for XML content.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODELS: &str = "http://schemas.datacontract.org/2004/07/Models";

    #[test]
    fn reads_namespaces_nil_text_and_references() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
            <Root xmlns:i="{INSTANCE}" xmlns="{MODELS}">
              <Base xmlns="urn:base">1</Base>
              <Name>Ann &amp; &#1041;&#x411; <![CDATA[<b>]]></Name>
              <Email i:nil="true"/>
              <!-- a comment -->
            </Root>"#
        );
        let root = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            (root.namespace.as_str(), root.name.as_str()),
            (MODELS, "Root")
        );
        let names: Vec<(&str, &str)> = root
            .children
            .iter()
            .map(|n| (n.namespace.as_str(), n.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("urn:base", "Base"), (MODELS, "Name"), (MODELS, "Email")]
        );
        assert_eq!(root.children[1].text, "Ann & ББ <b>");
        assert!(root.children[2].nil && !root.children[1].nil);
    }

    #[test]
    fn refuses_doctypes_entities_and_floods() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert_eq!(parse(laughs.as_bytes()), Err(XmlError::Doctype));
        let external = r#"<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>"#;
        assert_eq!(parse(external.as_bytes()), Err(XmlError::Doctype));
        assert_eq!(parse(b"<a>&xxe;</a>"), Err(XmlError::Entity("xxe".into())));
        let deep = "<a>".repeat(17) + &"</a>".repeat(17);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        let wide = format!("<a>{}</a>", "<b/>".repeat(2000));
        assert_eq!(parse(wide.as_bytes()), Err(XmlError::TooMany));
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "text",
            "<p:a/>",
            "<a>\u{0}</a>x",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(XmlError::Malformed(_))),
                "{bad:?}"
            );
        }
        assert!(parse(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
