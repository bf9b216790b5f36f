//! Hyphenation with the `hyphenation` crate's embedded Knuth–Liang patterns, chosen from the
//! book's BCP 47 language, with the book's minimum fragment lengths and exception words.

use std::collections::HashMap;
use std::sync::Arc;

use hyphenation::{Hyphenator as _, Language, Load, Standard};

use crate::model::Hyphenation;

pub struct Hyphenator {
    dict: Option<Arc<Standard>>,
    left: usize,
    right: usize,
    min_word: usize,
    /// Lower-case word → byte offsets of its allowed breaks.
    exceptions: Arc<HashMap<String, Vec<usize>>>,
    cache: rustc_hash::FxHashMap<Box<str>, Arc<[u32]>>,
}

/// The patterns for a BCP 47 tag, if there are any.
pub fn language_of(tag: &str) -> Option<Language> {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let has = |s: &str| rest.contains(&s);
    Some(match primary {
        "en" if has("gb") || has("au") || has("nz") || has("ie") || has("za") || has("in") => {
            Language::EnglishGB
        }
        "en" => Language::EnglishUS,
        "ru" => Language::Russian,
        "mn" => Language::Mongolian,
        "de" if has("ch") => Language::GermanSwiss,
        "de" if has("1901") => Language::German1901,
        "de" => Language::German1996,
        "fr" => Language::French,
        "es" => Language::Spanish,
        "it" => Language::Italian,
        "pt" => Language::Portuguese,
        "nl" => Language::Dutch,
        "pl" => Language::Polish,
        "cs" => Language::Czech,
        "sk" => Language::Slovak,
        "uk" => Language::Ukrainian,
        "be" => Language::Belarusian,
        "bg" => Language::Bulgarian,
        "sv" => Language::Swedish,
        "da" => Language::Danish,
        "nb" | "no" => Language::NorwegianBokmal,
        "nn" => Language::NorwegianNynorsk,
        "fi" => Language::Finnish,
        "hu" => Language::Hungarian,
        "tr" => Language::Turkish,
        "el" => Language::GreekMono,
        "la" => Language::Latin,
        "ca" => Language::Catalan,
        "hr" => Language::Croatian,
        "sl" => Language::Slovenian,
        "et" => Language::Estonian,
        "lt" => Language::Lithuanian,
        "lv" => Language::Latvian,
        "cy" => Language::Welsh,
        "ga" => Language::Irish,
        "eu" => Language::Basque,
        "id" => Language::Indonesian,
        "af" => Language::Afrikaans,
        "hy" => Language::Armenian,
        "ka" => Language::Georgian,
        "is" => Language::Icelandic,
        "ro" => Language::Romanian,
        "sr" => Language::SerbianCyrillic,
        _ => return None,
    })
}

impl Hyphenator {
    /// `None` in `dict` when the language has no patterns or hyphenation is off.
    pub fn new(language: &str, settings: &Hyphenation) -> Hyphenator {
        let dict = if settings.enabled {
            language_of(language)
                .and_then(|l| Standard::from_embedded(l).ok())
                .map(Arc::new)
        } else {
            None
        };
        let mut exceptions = HashMap::new();
        for w in &settings.exceptions {
            let mut breaks = Vec::new();
            let mut plain = String::new();
            for c in w.chars() {
                if c == '-' {
                    breaks.push(plain.len());
                } else {
                    plain.push(c);
                }
            }
            exceptions.insert(plain.to_lowercase(), breaks);
        }
        Hyphenator {
            dict,
            left: settings.left_min,
            right: settings.right_min,
            min_word: settings.min_word,
            exceptions: Arc::new(exceptions),
            cache: Default::default(),
        }
    }

    /// A hyphenator that never breaks a word (headings, covers).
    pub fn none() -> Hyphenator {
        Hyphenator {
            dict: None,
            left: 2,
            right: 3,
            min_word: 5,
            exceptions: Arc::new(HashMap::new()),
            cache: Default::default(),
        }
    }

    /// A copy that shares the patterns but has its own cache (one per thread).
    pub fn fork(&self) -> Hyphenator {
        Hyphenator {
            dict: self.dict.clone(),
            left: self.left,
            right: self.right,
            min_word: self.min_word,
            exceptions: self.exceptions.clone(),
            cache: Default::default(),
        }
    }

    pub fn available(&self) -> bool {
        self.dict.is_some() || !self.exceptions.is_empty()
    }

    /// Byte offsets in `word` (letters only, no spaces or hyphens) where it may be broken
    /// with a hyphen.
    pub fn breaks(&mut self, word: &str) -> Arc<[u32]> {
        if let Some(b) = self.cache.get(word) {
            return b.clone();
        }
        let b: Arc<[u32]> = self.compute(word).into();
        self.cache.insert(Box::from(word), b.clone());
        b
    }

    fn compute(&self, word: &str) -> Vec<u32> {
        let chars = word.chars().count();
        if chars < self.min_word {
            return Vec::new();
        }
        let lower = word.to_lowercase();
        if let Some(ex) = self.exceptions.get(&lower) {
            return ex.iter().map(|b| *b as u32).collect();
        }
        let Some(dict) = &self.dict else {
            return Vec::new();
        };
        // Offsets from the lower-case word map back only when lowering kept the lengths.
        if lower.len() != word.len() {
            return Vec::new();
        }
        let h = dict.hyphenate(&lower);
        let char_index = |byte: usize| word[..byte].chars().count();
        h.breaks
            .into_iter()
            .filter(|b| {
                let ci = char_index(*b);
                ci >= self.left && chars - ci >= self.right
            })
            .map(|b| b as u32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Hyphenation {
        Hyphenation {
            enabled: true,
            left_min: 2,
            right_min: 3,
            min_word: 5,
            exceptions: vec!["Ulaan-baa-tar".into()],
        }
    }

    fn split(h: &mut Hyphenator, w: &str) -> String {
        let b = h.breaks(w);
        let mut out = String::new();
        for (i, c) in w.char_indices() {
            if b.contains(&(i as u32)) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn english() {
        let mut h = Hyphenator::new("en-US", &settings());
        assert_eq!(split(&mut h, "hyphenation"), "hy-phen-a-tion");
        assert_eq!(split(&mut h, "typesetting"), "type-set-ting");
        assert_eq!(split(&mut h, "the"), "the");
        assert_eq!(split(&mut h, "Ulaanbaatar"), "Ulaan-baa-tar");
    }

    #[test]
    fn russian() {
        let mut h = Hyphenator::new("ru", &settings());
        let s = split(&mut h, "независимость");
        assert!(s.contains('-'), "{s}");
        assert_eq!(s.replace('-', ""), "независимость");
        assert!(!s.starts_with("н-") && !s.ends_with("-ть"), "{s}");
    }

    #[test]
    fn mongolian() {
        let mut h = Hyphenator::new("mn", &settings());
        let s = split(&mut h, "тусгаар");
        assert_eq!(s.replace('-', ""), "тусгаар");
        let s = split(&mut h, "Монголчууд");
        assert!(s.contains('-'), "{s}");
        let s = split(&mut h, "хөгжүүлэлт");
        assert!(s.contains('-'), "Mongolian Ө and Ү words hyphenate: {s}");
    }

    #[test]
    fn minima_are_respected() {
        let mut h = Hyphenator::new(
            "en",
            &Hyphenation {
                left_min: 4,
                right_min: 4,
                ..settings()
            },
        );
        for b in h.breaks("hyphenation").iter() {
            assert!(*b >= 4 && *b <= 7);
        }
    }
}
