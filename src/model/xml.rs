//! XML escaping, shared by the loader (which keeps an author's inline HTML as XHTML) and the
//! EPUB writer.

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

/// Appends `s` to `out`, escaped for XML content and attribute values; characters XML 1.0
/// does not allow are dropped.
///
/// A book's text is millions of characters with few to escape: the runs between them are
/// copied whole. Every character handled is ASCII or starts with 0xEF (U+FFFE, U+FFFF), so
/// each run starts and ends on a character boundary.
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(s.len());
    let (mut run, mut i) = (0, 0);
    // To the next byte that may need handling.
    while let Some(k) = bytes[i..].iter().position(|&b| HANDLED[usize::from(b)]) {
        i += k;
        let (with, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            0xef => match bytes.get(i + 1..i + 3) {
                Some([0xbf, 0xbe | 0xbf]) => ("", 3),
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => ("", 1), // a control character XML forbids
        };
        out.push_str(&s[run..i]);
        out.push_str(with);
        i += len;
        run = i;
    }
    out.push_str(&s[run..]);
}

/// The bytes [`escape_into`] looks at: markup, control characters but tab and line ends, and
/// 0xEF, with which U+FFFE and U+FFFF start.
const HANDLED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = !matches!(b, 0x09 | 0x0a | 0x0d);
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[0xef] = true;
    t
};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Character by character, as the rule says.
    fn escaped_one_by_one(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\u{0}'..='\u{8}'
                | '\u{b}'
                | '\u{c}'
                | '\u{e}'..='\u{1f}'
                | '\u{fffe}'
                | '\u{ffff}' => {}
                c => out.push(c),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn runs_copied_whole_escape_as_each_character_would(
            s in "([a-z &<>\"'\t\n\r\u{0}-\u{1f}\u{7f}\u{e9}\u{2014}\u{fffd}-\u{ffff}\u{10000}]|\u{f000}|\u{ffe0}){0,40}"
        ) {
            let mut out = String::from("kept");
            super::escape_into(&mut out, &s);
            prop_assert_eq!(out, format!("kept{}", escaped_one_by_one(&s)));
        }
    }

    #[test]
    fn escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            super::escape("a<b>&\"c\"\u{1}\u{ffff}d"),
            "a&lt;b&gt;&amp;&quot;c&quot;d"
        );
    }
}
