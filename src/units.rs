//! Lengths as authors write them (`18mm`, `0.7in`, `10.5pt`) and trim sizes (`A5`, `6x9in`).
//! Everything inside bookbuild is in PostScript points.

/// Points per inch.
pub const PT_PER_IN: f64 = 72.0;
/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// A length in points.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Length(pub f64);

impl Length {
    /// The length in points.
    pub fn pt(self) -> f64 {
        self.0
    }
    /// The length in inches.
    pub fn inches(self) -> f64 {
        self.0 / PT_PER_IN
    }
    /// The length in millimetres.
    pub fn mm(self) -> f64 {
        self.0 / PT_PER_MM
    }
    /// A length of `v` inches.
    pub fn from_in(v: f64) -> Length {
        Length(v * PT_PER_IN)
    }
    /// A length of `v` millimetres.
    pub fn from_mm(v: f64) -> Length {
        Length(v * PT_PER_MM)
    }
}

/// What to write for a length, for hints.
pub const UNIT_HINT: &str =
    "write a number and a unit: mm, cm, in or pt (for example \"18mm\" or \"0.75in\")";

/// Parses `12mm`, `1.5cm`, `0.75in`, `10.5pt`, or a bare `0`.
pub fn parse_length(s: &str) -> Result<Length, String> {
    let t = s.trim();
    if t == "0" {
        return Ok(Length(0.0));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .ok_or_else(|| format!("length \"{s}\" has no unit"))?;
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("\"{s}\" is not a length"))?;
    if !value.is_finite() {
        return Err(format!("\"{s}\" is not a length"));
    }
    let factor = match unit.trim() {
        "mm" => PT_PER_MM,
        "cm" => PT_PER_MM * 10.0,
        "in" => PT_PER_IN,
        "pt" => 1.0,
        other => return Err(format!("unknown unit \"{other}\" in length \"{s}\"")),
    };
    if value < 0.0 {
        return Err(format!("length \"{s}\" is negative"));
    }
    Ok(Length(value * factor))
}

/// What to write for a trim size, for hints.
pub const TRIM_HINT: &str = "use a name (A4, A5, A6, B5, B6, Letter, 5x8in, 5.25x8in, 5.5x8.5in, 6x9in, 7x10in, 8.5x11in) or \"WIDTH x HEIGHT\" with units, such as \"148mm x 210mm\"";

/// Parses a trim size into (width, height).
pub fn parse_trim(s: &str) -> Result<(Length, Length), String> {
    let t = s.trim();
    let named = match t.to_ascii_lowercase().as_str() {
        "a4" => Some((Length::from_mm(210.0), Length::from_mm(297.0))),
        "a5" => Some((Length::from_mm(148.0), Length::from_mm(210.0))),
        "a6" => Some((Length::from_mm(105.0), Length::from_mm(148.0))),
        "b5" => Some((Length::from_mm(176.0), Length::from_mm(250.0))),
        "b6" => Some((Length::from_mm(125.0), Length::from_mm(176.0))),
        "letter" => Some((Length::from_in(8.5), Length::from_in(11.0))),
        _ => None,
    };
    if let Some(v) = named {
        return Ok(v);
    }
    // "6x9in": one unit for both numbers
    let lower = t.to_ascii_lowercase();
    if let Some((w, h)) = lower.split_once('x') {
        let (w, h) = (w.trim(), h.trim());
        let has_unit = |x: &str| x.ends_with(|c: char| c.is_ascii_alphabetic());
        let (w_len, h_len) = if has_unit(w) {
            (parse_length(w), parse_length(h))
        } else if has_unit(h) {
            let unit_at = h.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(h.len());
            let unit = &h[unit_at..];
            (parse_length(&format!("{w}{unit}")), parse_length(h))
        } else {
            return Err(format!("trim size \"{s}\" has no unit"));
        };
        let (w, h) = (
            w_len.map_err(|e| format!("trim size \"{s}\": {e}"))?,
            h_len.map_err(|e| format!("trim size \"{s}\": {e}"))?,
        );
        if w.0 < 72.0 || h.0 < 72.0 || w.0 > 72.0 * 60.0 || h.0 > 72.0 * 60.0 {
            return Err(format!(
                "trim size \"{s}\" is outside 1in to 60in on a side"
            ));
        }
        return Ok((w, h));
    }
    Err(format!("unknown trim size \"{s}\""))
}

/// Paper presets with the per-page caliper (thickness of one leaf, as printers quote it for a
/// page count; a leaf is two pages, so the figures are per page).
pub fn paper_caliper(name: &str) -> Option<Length> {
    let inches = match name {
        // Figures as print-on-demand services publish them (inches per page).
        "white-50lb" | "white" => 0.002252,
        "cream-50lb" | "cream" => 0.0025,
        "white-60lb" => 0.002347,
        "white-70lb" => 0.0030,
        "color-70lb" => 0.002347,
        "groundwood-38lb" => 0.002,
        _ => return None,
    };
    Some(Length::from_in(inches))
}

/// The paper presets `[cover] paper` accepts.
pub const PAPER_NAMES: &[&str] = &[
    "white-50lb",
    "cream-50lb",
    "white-60lb",
    "white-70lb",
    "color-70lb",
    "groundwood-38lb",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn lengths() {
        assert!(close(parse_length("1in").unwrap().0, 72.0));
        assert!(close(parse_length("25.4mm").unwrap().0, 72.0));
        assert!(close(parse_length("2.54cm").unwrap().0, 72.0));
        assert!(close(parse_length("10.5pt").unwrap().0, 10.5));
        assert!(close(parse_length(" 0 ").unwrap().0, 0.0));
        assert!(parse_length("12").is_err());
        assert!(parse_length("12px").is_err());
        assert!(parse_length("-3mm").is_err());
        assert!(parse_length("mm").is_err());
    }

    #[test]
    fn trims() {
        let (w, h) = parse_trim("6x9in").unwrap();
        assert!(close(w.0, 432.0) && close(h.0, 648.0));
        let (w, h) = parse_trim("148mm x 210mm").unwrap();
        assert!(close(w.mm(), 148.0) && close(h.mm(), 210.0));
        let (w, _) = parse_trim("A5").unwrap();
        assert!(close(w.mm(), 148.0));
        assert!(parse_trim("A9").is_err());
        assert!(parse_trim("6x9").is_err());
        assert!(parse_trim("0.1x9in").is_err());
    }
}
