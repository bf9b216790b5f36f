//! Citations formatted once per form, not once per citation. Formatting a citation in a
//! large CSL style costs Hayagriva a fifth of a millisecond, and a scholarly book has
//! thousands. But a citation's text depends only on the works cited, the kind of locator
//! each has (and whether it is a range), the form asked for, and each work's position: the
//! first citation of it, "ibid." (the same work just before, with the same or another
//! locator), near a recent citation of it, or further on. So the positions are worked out
//! here, as Hayagriva works them out, and each distinct combination is formatted once, in a
//! small sequence of citations that puts every work in its position, with stand-in locator
//! numbers that are then replaced by the author's.
//!
//! Styles whose text depends on more than that (citation numbers, references to the note
//! of the first citation) and books whose works Hayagriva must tell apart (two by the same
//! author in the same year) take the slow path: every citation through one driver.

use std::collections::{HashMap, HashSet, VecDeque};

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::types::EntryType;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitePurpose, Entry, LocatorPayload,
    SpecificLocator,
};

use super::{CiteSite, Refs};

/// A citation request in the book's style without its bibliography.
fn citation_request<'a>(
    refs: &'a Refs,
    items: Vec<CitationItem<'a, Entry>>,
    note: Option<usize>,
) -> hayagriva::CitationRequest<'a, Entry> {
    hayagriva::CitationRequest::new(
        items,
        &refs.citation_style,
        Some(refs.locale.clone()),
        &refs.locales,
        note,
    )
}

/// Where a work stands among the citations before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Position {
    First,
    /// The item just before cites the same work with the same locator.
    Ibid,
    /// … with another locator (or none).
    IbidWithLocator,
    /// Cited within the style's near-note distance.
    Near,
    Far,
    /// Cited before, when the style does not tell near from far (or ibid from the rest).
    Subsequent,
}

/// The positions the style's citations tell apart.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tests {
    ibid: bool,
    near: bool,
}

impl Tests {
    pub fn of(refs: &Refs) -> Tests {
        let text = format!("{:?}{:?}", refs.style.citation, refs.style.macros);
        Tests {
            ibid: text.contains("Ibid"),
            near: text.contains("NearNote"),
        }
    }

    /// The position as the style sees it.
    fn canonical(self, p: Position) -> Position {
        match p {
            Position::Ibid | Position::IbidWithLocator if !self.ibid => {
                if self.near {
                    Position::Near
                } else {
                    Position::Subsequent
                }
            }
            Position::Near | Position::Far if !self.near => Position::Subsequent,
            other => other,
        }
    }
}

/// One item of a citation as its text depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ItemForm {
    key: String,
    locator: Option<(Locator, bool)>,
    purpose: Option<CitePurpose>,
    position: Position,
}

/// Whether the style's citations depend only on what the forms capture.
pub(super) fn style_allows(refs: &Refs) -> bool {
    let citation = format!("{:?}", refs.style.citation);
    let macros = format!("{:?}", refs.style.macros);
    !["CitationNumber", "FirstReferenceNoteNumber"]
        .iter()
        .any(|v| citation.contains(v) || macros.contains(v))
}

/// A locator the author wrote is a range or a list ("12–14", "3, 5"): styles print "pp.".
fn plural(value: &str) -> bool {
    value.contains(['–', '—', '-', ',', '&']) || value.contains(" and ")
}

/// The stand-in locator for item `k`: a number no citation prints otherwise.
fn stand_in(k: usize, plural: bool, other: bool) -> String {
    let base = if other { 7_700_000 } else { 8_800_000 } + 10 * k;
    if plural {
        format!("{}–{}", base, base + 2)
    } else {
        base.to_string()
    }
}

/// The forms of the citations of one group (a chapter with a note style, the book with an
/// in-text one), in reading order, as Hayagriva would see them. `None` when the forms cannot
/// be reproduced (more recent works in one citation than the near-note distance).
pub(super) fn forms(
    refs: &Refs,
    sites: &[CiteSite],
    group: &[usize],
    note_style: bool,
    tests: Tests,
    purposes: &dyn Fn(&CiteSite) -> Vec<Option<CitePurpose>>,
) -> Option<Vec<Vec<ItemForm>>> {
    let distance = refs.style.citation.near_note_distance as usize;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut recent: VecDeque<Vec<&str>> = VecDeque::new();
    let mut last: Option<(&str, Option<&str>)> = None;
    let mut out = Vec::with_capacity(group.len());
    for &i in group {
        let s = &sites[i];
        let purposes = purposes(s);
        let mut items = Vec::with_capacity(s.items.len());
        for (k, it) in s.items.iter().enumerate() {
            let loc = it.locator.as_ref().map(|(_, v)| v.as_str());
            let first = seen.insert(it.key.as_str());
            let near = note_style && recent.iter().any(|c| c.contains(&it.key.as_str()));
            let ibid = match last {
                Some((key, prev)) if key == it.key => {
                    if prev == loc {
                        Some(Position::Ibid)
                    } else if loc.is_none() {
                        None
                    } else {
                        Some(Position::IbidWithLocator)
                    }
                }
                _ => None,
            };
            let position = tests.canonical(match (first, ibid, near) {
                (true, ..) => Position::First,
                (false, Some(p), _) => p,
                (false, None, true) => Position::Near,
                (false, None, false) => Position::Far,
            });
            // An ibid can only be reproduced for the first item of a citation.
            if k > 0 && matches!(position, Position::Ibid | Position::IbidWithLocator) {
                return None;
            }
            items.push(ItemForm {
                key: it.key.clone(),
                locator: it.locator.as_ref().map(|(l, v)| (*l, plural(v))),
                purpose: purposes.get(k).copied().flatten(),
                position,
            });
            last = Some((it.key.as_str(), loc));
        }
        let near_count = items
            .iter()
            .filter(|f| matches!(f.position, Position::Near | Position::Subsequent))
            .count();
        if near_count + 1 > distance.max(1) {
            return None;
        }
        out.push(items);
        if note_style {
            recent.push_back(s.items.iter().map(|it| it.key.as_str()).collect());
            if recent.len() > distance {
                recent.pop_front();
            }
        }
    }
    Some(out)
}

/// A work cited in no citation, to stand between the ones that must be far.
fn filler() -> Entry {
    let mut e = Entry::new("\u{0}filler", EntryType::Misc);
    e.set_title("Filler".to_string().into());
    e
}

/// Formats each distinct form once. Returns, per form, the rendered citation.
pub(super) struct FormCache {
    rendered: HashMap<Vec<ItemForm>, hayagriva::ElemChildren>,
    filler: Entry,
}

impl FormCache {
    pub fn new() -> Self {
        FormCache {
            rendered: HashMap::new(),
            filler: filler(),
        }
    }

    /// Formats every form not formatted yet, in parallel.
    pub fn fill(&mut self, refs: &Refs, forms: &[&[ItemForm]], note_style: bool) {
        use rayon::prelude::*;
        let mut seen: HashSet<&[ItemForm]> = HashSet::new();
        let todo: Vec<&[ItemForm]> = forms
            .iter()
            .copied()
            .filter(|f| !self.rendered.contains_key(*f) && seen.insert(f))
            .collect();
        // Single-work forms go through few drivers (a driver costs Hayagriva more to set
        // up than a citation): works whose authors share no name together, so that Hayagriva
        // has nothing to tell apart inside a driver; whether it would have, across the book,
        // shows in the results (see `alike`). Each work also gets a plain first citation.
        let (singles, multiple): (Vec<&[ItemForm]>, Vec<&[ItemForm]>) =
            todo.into_iter().partition(|f| f.len() == 1);
        let mut probes: Vec<ItemForm> = Vec::new();
        for f in &singles {
            let probe = ItemForm {
                key: f[0].key.clone(),
                locator: None,
                purpose: None,
                position: Position::First,
            };
            if !probes.contains(&probe) && !self.rendered.contains_key(std::slice::from_ref(&probe))
            {
                probes.push(probe);
            }
        }
        let mut forms: Vec<&ItemForm> = singles.iter().map(|f| &f[0]).collect();
        for p in &probes {
            if !forms.contains(&p) {
                forms.push(p);
            }
        }
        let mut rank_of: HashMap<&str, usize> = HashMap::new();
        let mut names_seen: HashMap<String, usize> = HashMap::new();
        for f in &forms {
            if !rank_of.contains_key(f.key.as_str()) {
                let n = names_seen.entry(name_key(refs, &f.key)).or_insert(0);
                rank_of.insert(&f.key, *n);
                *n += 1;
            }
        }
        let mut rounds: Vec<Vec<&ItemForm>> = Vec::new();
        for f in forms {
            let r = rank_of[f.key.as_str()];
            if rounds.len() <= r {
                rounds.resize_with(r + 1, Vec::new);
            }
            rounds[r].push(f);
        }
        let mut done: Vec<(Vec<ItemForm>, Option<hayagriva::ElemChildren>)> = rounds
            .par_iter()
            .flat_map(|round| self.render_round(refs, round, note_style))
            .collect();
        done.extend(
            multiple
                .par_iter()
                .map(|f| (f.to_vec(), self.render(refs, f, note_style)))
                .collect::<Vec<_>>(),
        );
        for (f, r) in done {
            if let Some(r) = r {
                self.rendered.insert(f, r);
            }
        }
    }

    /// Single-work forms through one driver: first the firsts, then every other work cited
    /// once, then each later form after what puts it in its position (something else for a
    /// subsequent citation, the same work for an ibid, enough else for a far one).
    fn render_round(
        &self,
        refs: &Refs,
        round: &[&ItemForm],
        note_style: bool,
    ) -> Vec<(Vec<ItemForm>, Option<hayagriva::ElemChildren>)> {
        let distance = refs.style.citation.near_note_distance as usize;
        let locs: Vec<String> = round
            .iter()
            .map(|f| stand_in(0, f.locator.is_some_and(|l| l.1), false))
            .collect();
        let others: Vec<String> = round
            .iter()
            .map(|f| stand_in(0, f.locator.is_some_and(|l| l.1), true))
            .collect();
        // A work's second and later first citations (another locator, another form) are
        // made of copies of it: Hayagriva counts a work as cited by its address.
        let mut firsts: HashMap<&str, usize> = HashMap::new();
        let copies: Vec<Option<Entry>> = round
            .iter()
            .map(|f| {
                if f.position != Position::First {
                    return None;
                }
                let n = firsts.entry(f.key.as_str()).or_insert(0);
                *n += 1;
                (*n > 1).then(|| refs.get(&f.key).cloned()).flatten()
            })
            .collect();
        let mut seq: Vec<Vec<CitationItem<'_, Entry>>> = Vec::new();
        let mut at: Vec<Option<usize>> = vec![None; round.len()];
        let target = |k: usize, f: &ItemForm| -> Option<CitationItem<'_, Entry>> {
            let locator = f
                .locator
                .map(|(l, _)| SpecificLocator(l, LocatorPayload::Str(&locs[k])));
            let entry = match &copies[k] {
                Some(c) => c,
                None => refs.get(&f.key)?,
            };
            Some(CitationItem::new(entry, locator, None, false, f.purpose))
        };
        let mut seen: HashSet<&str> = HashSet::new();
        for (k, f) in round
            .iter()
            .enumerate()
            .filter(|(_, f)| f.position == Position::First)
        {
            if let Some(t) = target(k, f) {
                seen.insert(f.key.as_str());
                seq.push(vec![t]);
                at[k] = Some(seq.len() - 1);
            }
        }
        for f in round.iter().filter(|f| f.position != Position::First) {
            if seen.insert(f.key.as_str())
                && let Some(e) = refs.get(&f.key)
            {
                seq.push(vec![CitationItem::with_entry(e)]);
            }
        }
        for (k, f) in round
            .iter()
            .enumerate()
            .filter(|(_, f)| f.position != Position::First)
        {
            let Some(e) = refs.get(&f.key) else { continue };
            match f.position {
                Position::Subsequent => seq.push(vec![CitationItem::with_entry(&self.filler)]),
                Position::Near => {
                    seq.push(vec![CitationItem::with_entry(e)]);
                    seq.push(vec![CitationItem::with_entry(&self.filler)]);
                }
                Position::Far => {
                    for _ in 0..=distance {
                        seq.push(vec![CitationItem::with_entry(&self.filler)]);
                    }
                }
                Position::Ibid => {
                    let l = f
                        .locator
                        .map(|(l, _)| SpecificLocator(l, LocatorPayload::Str(&locs[k])));
                    seq.push(vec![CitationItem::with_locator(e, l)]);
                }
                Position::IbidWithLocator => {
                    let l = f
                        .locator
                        .map(|(l, _)| SpecificLocator(l, LocatorPayload::Str(&others[k])));
                    seq.push(vec![CitationItem::with_locator(e, l)]);
                }
                Position::First => {}
            }
            if let Some(t) = target(k, f) {
                seq.push(vec![t]);
                at[k] = Some(seq.len() - 1);
            }
        }
        let mut driver = BibliographyDriver::new();
        for (k, items) in seq.into_iter().enumerate() {
            driver.citation(citation_request(refs, items, note_style.then_some(k + 1)));
        }
        let rendered = driver.finish(BibliographyRequest::new(
            &refs.citation_style,
            Some(refs.locale.clone()),
            &refs.locales,
        ));
        round
            .iter()
            .zip(at)
            .map(|(f, i)| {
                let text = i
                    .and_then(|i| rendered.citations.get(i))
                    .map(|c| c.citation.clone());
                (vec![(*f).clone()], text)
            })
            .collect()
    }

    /// The citation of `form`, with stand-in locators (see [`stand_in`]).
    pub fn get(
        &mut self,
        refs: &Refs,
        form: &[ItemForm],
        note_style: bool,
    ) -> Option<hayagriva::ElemChildren> {
        if let Some(r) = self.rendered.get(form) {
            return Some(r.clone());
        }
        let r = self.render(refs, form, note_style)?;
        self.rendered.insert(form.to_vec(), r.clone());
        Some(r)
    }

    /// A sequence that puts each work of `form` in its position, then the citation itself:
    /// the far works first, then enough other citations to take them out of reach, then the
    /// near works, then the work an ibid repeats.
    fn render(
        &self,
        refs: &Refs,
        form: &[ItemForm],
        note_style: bool,
    ) -> Option<hayagriva::ElemChildren> {
        let distance = refs.style.citation.near_note_distance as usize;
        let entry = |key: &str| refs.get(key);
        let mut seq: Vec<Vec<CitationItem<'_, Entry>>> = Vec::new();
        let locs: Vec<String> = form
            .iter()
            .enumerate()
            .map(|(k, f)| stand_in(k, f.locator.is_some_and(|l| l.1), false))
            .collect();
        let others: Vec<String> = form
            .iter()
            .enumerate()
            .map(|(k, f)| stand_in(k, f.locator.is_some_and(|l| l.1), true))
            .collect();
        for f in form.iter().filter(|f| f.position == Position::Far) {
            seq.push(vec![CitationItem::with_entry(entry(&f.key)?)]);
        }
        if form.iter().any(|f| f.position == Position::Far) {
            for _ in 0..=distance {
                seq.push(vec![CitationItem::with_entry(&self.filler)]);
            }
        }
        for f in form
            .iter()
            .filter(|f| matches!(f.position, Position::Near | Position::Subsequent))
        {
            seq.push(vec![CitationItem::with_entry(entry(&f.key)?)]);
        }
        // Something else between, so that no work of the citation is an ibid.
        if form
            .iter()
            .any(|f| matches!(f.position, Position::Near | Position::Subsequent))
        {
            seq.push(vec![CitationItem::with_entry(&self.filler)]);
        }
        if let Some(f) = form.first() {
            let prev = match (f.position, &f.locator) {
                (Position::Ibid, Some((l, _))) => {
                    Some(Some(SpecificLocator(*l, LocatorPayload::Str(&locs[0]))))
                }
                (Position::Ibid, None) => Some(None),
                (Position::IbidWithLocator, Some((l, _))) => {
                    Some(Some(SpecificLocator(*l, LocatorPayload::Str(&others[0]))))
                }
                (Position::IbidWithLocator, None) => Some(None),
                _ => None,
            };
            if let Some(p) = prev {
                seq.push(vec![CitationItem::with_locator(entry(&f.key)?, p)]);
            }
        }
        let mut target = Vec::with_capacity(form.len());
        for (k, f) in form.iter().enumerate() {
            let locator = f
                .locator
                .map(|(l, _)| SpecificLocator(l, LocatorPayload::Str(&locs[k])));
            target.push(CitationItem::new(
                entry(&f.key)?,
                locator,
                None,
                false,
                f.purpose,
            ));
        }
        seq.push(target);
        let mut driver = BibliographyDriver::new();
        let n = seq.len();
        for (k, items) in seq.into_iter().enumerate() {
            driver.citation(citation_request(refs, items, note_style.then_some(k + 1)));
        }
        let rendered = driver.finish(BibliographyRequest::new(
            &refs.citation_style,
            Some(refs.locale.clone()),
            &refs.locales,
        ));
        rendered
            .citations
            .into_iter()
            .nth(n - 1)
            .map(|c| c.citation)
    }
}

/// Puts the author's locators in place of the stand-ins in a formatted citation's text.
pub(super) fn put_locators(text: &mut [crate::model::Inline], site: &CiteSite) {
    for i in text.iter_mut() {
        match i {
            crate::model::Inline::Text(t) => {
                for (k, it) in site.items.iter().enumerate() {
                    let Some((_, value)) = &it.locator else {
                        continue;
                    };
                    let start = stand_in(k, false, false);
                    // A range may have been shortened by the style ("8800000–2"): the whole
                    // stand-in goes, whatever form it took.
                    while let Some(at) = t.find(&start) {
                        let rest = &t[at + start.len()..];
                        let tail = rest
                            .char_indices()
                            .take_while(|(_, c)| c.is_ascii_digit() || "–—-".contains(*c))
                            .last()
                            .map_or(0, |(j, c)| j + c.len_utf8());
                        t.replace_range(at..at + start.len() + tail, value);
                    }
                }
            }
            crate::model::Inline::Emph(c)
            | crate::model::Inline::Strong(c)
            | crate::model::Inline::SmallCaps(c) => put_locators(c, site),
            crate::model::Inline::Link(l) => put_locators(&mut l.content, site),
            _ => {}
        }
    }
}

/// What a work is cited by in most styles: its authors' (or editors') family names, or its
/// title when it has neither.
fn name_key(refs: &Refs, key: &str) -> String {
    let Some(e) = refs.get(key) else {
        return key.to_string();
    };
    let names: Vec<String> = e
        .authors()
        .or(e.editors())
        .unwrap_or(&[])
        .iter()
        .map(|p| p.name.to_lowercase())
        .collect();
    if names.is_empty() {
        e.title()
            .map(|t| t.value.to_string().to_lowercase())
            .unwrap_or_default()
    } else {
        names.join("|")
    }
}

impl FormCache {
    /// Two works whose citations read the same in some form: Hayagriva would have told them
    /// apart (a title, a year suffix, given names), which it does seeing every citation at
    /// once: then the book takes the slow path.
    pub fn alike(&self) -> bool {
        let mut by_text: HashMap<String, &str> = HashMap::new();
        for (form, text) in self.rendered.iter().filter(|(f, _)| f.len() == 1) {
            let mut t = String::new();
            let _ = text.write_buf(&mut t, hayagriva::BufWriteFormat::Plain);
            if let Some(other) = by_text.insert(t, &form[0].key)
                && other != form[0].key
            {
                return true;
            }
        }
        false
    }
}
