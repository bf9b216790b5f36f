//! The references a book cites from: its BibLaTeX/BibTeX (`.bib`) and Hayagriva (`.yaml`)
//! files read into one library, the citation style (bundled, or a `.csl` file of the project)
//! and the locale of its terms — each problem reported where it is.

use std::collections::HashMap;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style, StyleClass};
use hayagriva::{Entry, Library};

use crate::diag::{Diagnostics, SourceFile};
use crate::project::tomlcheck;

/// Everything citations are formatted with.
pub(crate) struct Refs {
    pub library: Library,
    pub style: IndependentStyle,
    /// The style without its bibliography: formatting citations alone costs Hayagriva far
    /// less when it has no bibliography to format and sort as well.
    pub citation_style: IndependentStyle,
    pub locale: LocaleCode,
    pub locales: Vec<Locale>,
    /// Where each entry is defined (file id, byte offset), for messages.
    pub defined_at: HashMap<String, (u32, usize)>,
}

impl Refs {
    /// Citations become notes (Chicago notes and bibliography) rather than text in
    /// parentheses (author-date).
    pub fn note_style(&self) -> bool {
        self.style.settings.class == StyleClass::Note
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.library.get(key)
    }

    /// The locale puts a period or comma inside closing quotation marks (American usage).
    pub fn quotes_take_punctuation(&self) -> bool {
        self.locales
            .iter()
            .find(|l| l.lang.as_ref() == Some(&self.locale))
            .and_then(|l| l.style_options.as_ref())
            .and_then(|o| o.punctuation_in_quote)
            .unwrap_or(false)
    }

    /// The bibliography is sorted by what it prints first (names, then titles), not by
    /// citation number.
    pub fn sorts_by_name(&self) -> bool {
        use hayagriva::citationberg::SortKey;
        use hayagriva::citationberg::taxonomy::{NumberVariable, Variable};
        let Some(sort) = self
            .style
            .bibliography
            .as_ref()
            .and_then(|b| b.sort.as_ref())
        else {
            return false;
        };
        !sort.keys.iter().any(|k| {
            matches!(
                k,
                SortKey::Variable {
                    variable: Variable::Number(NumberVariable::CitationNumber),
                    ..
                }
            )
        })
    }
}

/// Reads one reference file into `library`. `.bib` is BibLaTeX or BibTeX; `.yaml`/`.yml`
/// Hayagriva's format. Errors are reported at their line in the file.
pub(crate) fn read_file(
    file: &SourceFile,
    file_id: u32,
    library: &mut Library,
    defined_at: &mut HashMap<String, (u32, usize)>,
    diags: &mut Diagnostics,
) {
    let ext = file
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let parsed = match ext.as_str() {
        "bib" | "bibtex" | "biblatex" => read_bib(file, diags),
        "yaml" | "yml" => read_yaml(file, diags),
        "json" => {
            diags.error_hint(
                Some(file.location(0)),
                "CSL-JSON reference files are not read yet",
                "export the library as BibLaTeX (.bib) — Zotero: File ▸ Export Library ▸ BibLaTeX — or write Hayagriva .yaml",
            );
            None
        }
        _ => {
            diags.error_hint(
                Some(file.location(0)),
                format!(
                    "{} is not a reference file bookbuild reads",
                    file.path.display()
                ),
                "use a BibLaTeX or BibTeX file (.bib) or a Hayagriva file (.yaml)",
            );
            None
        }
    };
    let Some(lib) = parsed else { return };
    for entry in lib.iter() {
        let key = entry.key().to_string();
        let at = definition_offset(&file.text, &key, &ext);
        if let Some((other, _)) = defined_at.get(&key)
            && *other != file_id
        {
            diags.error_hint(
                Some(file.location(at)),
                format!("the reference key \"{key}\" is defined in two files"),
                "keep one entry per key across the bibliography files",
            );
            continue;
        }
        defined_at.insert(key, (file_id, at));
        library.push(&thesis_as_styles_expect(entry));
    }
}

/// A thesis as BibLaTeX has it (`institution`, `type = {phdthesis}`) as CSL styles print it:
/// the university is the publisher, and the localisation keys become words ("PhD diss.").
fn thesis_as_styles_expect(entry: &Entry) -> Entry {
    let mut e = entry.clone();
    if *e.entry_type() != hayagriva::types::EntryType::Thesis {
        return e;
    }
    if e.publisher().is_none()
        && let Some(org) = e.organization().cloned()
    {
        e.set_publisher(hayagriva::types::Publisher::new(Some(org), None));
    }
    let genre = e.genre().map(|g| g.value.to_string().to_ascii_lowercase());
    let word = match genre.as_deref() {
        Some("phdthesis" | "doctoral dissertation") => Some("PhD diss."),
        Some("mathesis" | "mastersthesis" | "master's thesis") => Some("Master’s thesis"),
        _ => None,
    };
    if let Some(w) = word {
        e.set_genre(w.to_string().into());
    }
    e
}

fn read_bib(file: &SourceFile, diags: &mut Diagnostics) -> Option<Library> {
    match hayagriva::io::from_biblatex_str(&file.text) {
        Ok(lib) => Some(lib),
        Err(errors) => {
            for e in errors {
                let (at, msg) = match &e {
                    // The end of the file is no place to look: point at the entry left open.
                    hayagriva::io::BibLaTeXError::Parse(p)
                        if matches!(p.kind, biblatex::ParseErrorKind::UnexpectedEof) =>
                    {
                        let start = file.text[..p.span.start.min(file.text.len())]
                            .rfind('@')
                            .unwrap_or(0);
                        (
                            start,
                            "an entry is not closed before the end of the file".to_string(),
                        )
                    }
                    hayagriva::io::BibLaTeXError::Parse(p) => (p.span.start, p.kind.to_string()),
                    hayagriva::io::BibLaTeXError::Type(t) => (t.span.start, t.kind.to_string()),
                };
                diags.error_hint(
                    Some(file.location(at.min(file.text.len()))),
                    format!("the reference file does not parse: {msg}"),
                    "check the entry's braces, commas and field names (a BibLaTeX entry is @type{key, field = {value}, …})",
                );
            }
            None
        }
    }
}

fn read_yaml(file: &SourceFile, diags: &mut Diagnostics) -> Option<Library> {
    match hayagriva::io::from_yaml_str(&file.text) {
        Ok(lib) => Some(lib),
        Err(e) => {
            let at = e.location().map_or(0, |l| l.index());
            diags.error_hint(
                Some(file.location(at.min(file.text.len()))),
                format!("the reference file does not parse: {e}"),
                "see Hayagriva's file format: each entry is a key with type, title, author, date …",
            );
            None
        }
    }
}

/// Where the entry `key` starts in its file: `@type{key,` in BibLaTeX, `key:` at the start
/// of a line in YAML (0 when not found).
fn definition_offset(text: &str, key: &str, ext: &str) -> usize {
    if ext == "yaml" || ext == "yml" {
        let mut off = 0;
        for line in text.split_inclusive('\n') {
            if line
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
            {
                return off;
            }
            off += line.len();
        }
        return 0;
    }
    let pat = format!("{{{key},");
    text.find(&pat)
        .and_then(|i| text[..i].rfind('@'))
        .unwrap_or(0)
}

/// The style: a bundled one by name, or a `.csl` file of the project (`text` holds it).
pub(crate) fn style(
    name: &str,
    csl: Option<(&SourceFile, &str)>,
    at: Option<crate::diag::Location>,
    diags: &mut Diagnostics,
) -> Option<IndependentStyle> {
    if let Some((file, text)) = csl {
        return match IndependentStyle::from_xml(text) {
            Ok(s) => Some(s),
            Err(e) => {
                // A dependent style (one that only names its parent) is not independent.
                let dependent = matches!(Style::from_xml(text), Ok(Style::Dependent(_)));
                let hint = if dependent {
                    "this is a dependent CSL style: use the style it names as its parent (<link rel=\"independent-parent\">)"
                } else {
                    "the file must be a CSL 1.0 style (an XML file from the Zotero style repository)"
                };
                diags.error_hint(
                    Some(file.location(0)),
                    format!("the citation style does not parse: {e}"),
                    hint,
                );
                None
            }
        };
    }
    match ArchivedStyle::by_name(name).map(ArchivedStyle::get) {
        Some(Style::Independent(s)) => Some(s),
        _ => {
            let names: Vec<&str> = ArchivedStyle::all()
                .iter()
                .flat_map(|s| s.names().first().copied())
                .collect();
            let near = tomlcheck::closest(name, &names)
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            diags.error_hint(
                at,
                format!("[bibliography] style \"{name}\" is not a style bookbuild knows"),
                format!(
                    "{near}give a .csl file of the project, or one of the bundled styles: {}",
                    names.join(", ")
                ),
            );
            None
        }
    }
}

/// The locale of the style's terms: the one asked for, or the book's language (its region
/// guessed when only the language is given; US English when there is none for it).
pub(crate) fn locale(
    all: Vec<Locale>,
    asked: Option<&str>,
    language: &str,
    at: Option<crate::diag::Location>,
    diags: &mut Diagnostics,
) -> (LocaleCode, Vec<Locale>) {
    let codes: Vec<String> = all
        .iter()
        .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
        .collect();
    let find = |want: &str| -> Option<String> {
        let want = want.to_ascii_lowercase();
        let lang = want.split('-').next().unwrap_or("").to_string();
        // A bare language means its main dialect: en-US, de-DE, fr-FR …
        let main = if lang == "en" {
            "en-us".to_string()
        } else {
            format!("{lang}-{lang}")
        };
        let by = |w: &str| codes.iter().find(|c| c.to_ascii_lowercase() == w);
        by(&want)
            .or_else(|| by(&main))
            .or_else(|| {
                codes
                    .iter()
                    .find(|c| c.to_ascii_lowercase().split('-').next() == Some(lang.as_str()))
            })
            .cloned()
    };
    let code = match asked {
        Some(a) => find(a).unwrap_or_else(|| {
            diags.error_hint(
                at,
                format!("[bibliography] locale \"{a}\" is not a locale bookbuild has"),
                format!("use one of: {}", codes.join(", ")),
            );
            "en-US".to_string()
        }),
        None => find(language).unwrap_or_else(|| "en-US".to_string()),
    };
    // Only the locale used and US English (which every style falls back to): Hayagriva
    // searches the files it is given for every term it prints.
    let used: Vec<Locale> = all
        .into_iter()
        .filter(|l| {
            l.lang
                .as_ref()
                .is_some_and(|c| c.0 == code || c.0 == "en-US")
        })
        .collect();
    (LocaleCode(code), used)
}
