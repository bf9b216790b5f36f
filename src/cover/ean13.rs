//! EAN-13 bar patterns, for the ISBN barcode on the back cover.

const L: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];
const G: [&str; 10] = [
    "0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001",
    "0001001", "0010111",
];
const R: [&str; 10] = [
    "1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100",
    "1001000", "1110100",
];
/// Which of the left-hand digits use the G (even parity) set, by the first digit.
const PARITY: [&str; 10] = [
    "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL",
    "LGGLGL",
];

/// The check digit of the first twelve digits.
pub fn check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The 95 modules of the symbol (true = bar), from start guard to end guard, and which
/// modules are guard bars (drawn longer).
pub fn modules(code: &str) -> Option<(Vec<bool>, Vec<bool>)> {
    let d: Vec<u8> = code
        .chars()
        .map(|c| c.to_digit(10).map(|v| v as u8))
        .collect::<Option<_>>()?;
    if d.len() != 13 || check_digit(&d) != d[12] {
        return None;
    }
    let mut bars = String::from("101");
    let mut guard = vec![true; 3];
    let parity = PARITY[d[0] as usize].as_bytes();
    for (i, digit) in d[1..7].iter().enumerate() {
        let set = if parity[i] == b'L' { L } else { G };
        bars.push_str(set[*digit as usize]);
        guard.extend([false; 7]);
    }
    bars.push_str("01010");
    guard.extend([true; 5]);
    for digit in &d[7..13] {
        bars.push_str(R[*digit as usize]);
        guard.extend([false; 7]);
    }
    bars.push_str("101");
    guard.extend([true; 3]);
    Some((bars.bytes().map(|b| b == b'1').collect(), guard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_symbol() {
        // 978-0-306-40615-7: first digit 9 → parity LGGLGL.
        let (m, g) = modules("9780306406157").unwrap();
        assert_eq!(m.len(), 95);
        assert_eq!(g.len(), 95);
        let s: String = m.iter().map(|b| if *b { '1' } else { '0' }).collect();
        assert!(s.starts_with("101"));
        // Second digit 7 with parity L: 0111011.
        assert_eq!(&s[3..10], "0111011");
        // Third digit 8 with parity G: 0001001.
        assert_eq!(&s[10..17], "0001001");
        assert_eq!(&s[45..50], "01010");
        assert!(s.ends_with("101"));
        assert!(
            modules("9780306406158").is_none(),
            "a wrong check digit is refused"
        );
        assert_eq!(check_digit(&[9, 7, 8, 0, 3, 0, 6, 4, 0, 6, 1, 5]), 7);
    }
}
