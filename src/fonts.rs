//! Font families: the built-in default (Libertinus Serif, compiled into the binary) and the
//! font files of a project's `fonts/` folder, found by their family names.

use std::path::{Path, PathBuf};

use rustybuzz::ttf_parser;

pub const DEFAULT_FAMILY: &str = "Libertinus Serif";

/// Libertinus Serif (SIL OFL 1.1, see fonts/OFL.txt): regular, italic, bold, bold italic.
pub static BUILTIN: [&[u8]; 4] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-BoldItalic.otf"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Italic,
    Bold,
    BoldItalic,
}

impl Style {
    pub fn new(bold: bool, italic: bool) -> Style {
        match (bold, italic) {
            (false, false) => Style::Regular,
            (false, true) => Style::Italic,
            (true, false) => Style::Bold,
            (true, true) => Style::BoldItalic,
        }
    }
    pub fn is_bold(self) -> bool {
        matches!(self, Style::Bold | Style::BoldItalic)
    }
    pub fn is_italic(self) -> bool {
        matches!(self, Style::Italic | Style::BoldItalic)
    }
    pub const ALL: [Style; 4] = [
        Style::Regular,
        Style::Italic,
        Style::Bold,
        Style::BoldItalic,
    ];
}

/// One font file (or collection member) and what it is.
#[derive(Debug, Clone)]
pub struct FaceInfo {
    pub family: String,
    pub style: Style,
    /// Project-relative path, or `None` for a built-in face.
    pub path: Option<PathBuf>,
    /// The font file. Project fonts are read once and kept for the life of the process
    /// (shaping needs `'static` data; a build reads a handful of fonts).
    pub data: &'static [u8],
    pub index: u32,
}

pub fn builtin_faces() -> Vec<FaceInfo> {
    Style::ALL
        .iter()
        .zip(BUILTIN.iter())
        .map(|(s, d)| FaceInfo {
            family: DEFAULT_FAMILY.to_string(),
            style: *s,
            path: None,
            data: d,
            index: 0,
        })
        .collect()
}

/// Reads the family name and style of a font.
pub fn describe(data: &[u8], index: u32) -> Option<(String, Style)> {
    let face = ttf_parser::Face::parse(data, index).ok()?;
    let name_of = |id: u16| {
        face.names()
            .into_iter()
            .filter(|n| n.name_id == id && n.is_unicode())
            .find_map(|n| n.to_string())
    };
    let family = name_of(ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
        .or_else(|| name_of(ttf_parser::name_id::FAMILY))?;
    let bold = face.is_bold() || face.weight().to_number() >= 600;
    Some((
        family,
        Style::new(bold, face.is_italic() || face.is_oblique()),
    ))
}

/// The fonts in `<root>/fonts`, sorted by path so the choice among duplicates is stable.
/// Files that are not fonts are skipped; unreadable ones are returned as errors.
pub fn discover(root: &Path) -> (Vec<FaceInfo>, Vec<(PathBuf, String)>) {
    let dir = root.join("fonts");
    let mut faces = Vec::new();
    let mut problems = Vec::new();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return (faces, problems);
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
            continue;
        }
        let rel = PathBuf::from("fonts").join(p.file_name().unwrap_or_default());
        // A font symlinked from outside the project is not read.
        if let (Ok(real), Ok(real_root)) = (p.canonicalize(), root.canonicalize())
            && !real.starts_with(&real_root)
        {
            problems.push((
                rel,
                "is a symbolic link that points outside the project".to_string(),
            ));
            continue;
        }
        let data: &'static [u8] = match std::fs::read(&p) {
            Ok(d) => Box::leak(d.into_boxed_slice()),
            Err(e) => {
                problems.push((rel, format!("cannot be read: {e}")));
                continue;
            }
        };
        let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
        let mut any = false;
        for index in 0..count {
            if let Some((family, style)) = describe(data, index) {
                any = true;
                faces.push(FaceInfo {
                    family,
                    style,
                    path: Some(rel.clone()),
                    data,
                    index,
                });
            }
        }
        if !any {
            problems.push((
                rel,
                "is not a font that can be read (TrueType or OpenType expected)".to_string(),
            ));
        }
    }
    (faces, problems)
}

/// Family names available to a project: its own fonts and the built-in default.
pub fn families(project: &[FaceInfo]) -> Vec<String> {
    let mut f: Vec<String> = project.iter().map(|f| f.family.clone()).collect();
    f.push(DEFAULT_FAMILY.to_string());
    f.sort();
    f.dedup();
    f
}

/// The faces of a family: the project's own files first, else the built-in default.
pub fn faces_for(root: &Path, family: &str) -> Vec<FaceInfo> {
    let (project, _) = discover(root);
    let mut own: Vec<FaceInfo> = project
        .into_iter()
        .filter(|f| f.family.eq_ignore_ascii_case(family))
        .collect();
    own.sort_by_key(|f| f.style);
    own.dedup_by_key(|f| f.style);
    if !own.is_empty() {
        return own;
    }
    if family.eq_ignore_ascii_case(DEFAULT_FAMILY) {
        builtin_faces()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_is_libertinus_in_four_styles() {
        for (f, s) in builtin_faces().iter().zip(Style::ALL) {
            let (family, style) = describe(f.data, 0).unwrap();
            assert_eq!(family, DEFAULT_FAMILY);
            assert_eq!(style, s);
        }
    }
}
