//! Broken projects: each mistake an author can make gets exit code 1, a message that names
//! the file and line, no panic, and no output written.

mod common;

use common::*;
use std::path::Path;

struct Case {
    name: &'static str,
    /// Changes the `init` project into a broken one.
    break_it: fn(&Path),
    /// What the first line of the message must contain (path:line:col and words).
    expect: &'static str,
    /// The problem is a warning: it fails only with --deny-warnings.
    warning: bool,
}

fn contents(p: &Path) -> std::path::PathBuf {
    p.join("manuscript/contents.md")
}

fn append(path: &Path, text: &str) {
    edit(path, |s| s + text);
}

const CASES: &[Case] = &[
    Case {
        name: "unknown citation key",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\nAs shown [@bringhurst2005, 12].\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:11: error: unknown citation key @bringhurst2005: no entry of the bibliography has it",
        warning: false,
    },
    Case {
        name: "malformed bibliography file",
        break_it: |p| {
            append(
                &p.join("references.bib"),
                "\n@book{knuth1984,\n  title = {The TeXbook,\n",
            )
        },
        expect: "references.bib:12:1: error: the reference file does not parse: an entry is not closed before the end of the file",
        warning: false,
    },
    Case {
        name: "unknown citation style",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("style = \"chicago-notes\"", "style = \"chicago-nots\"")
            })
        },
        expect: "build.toml:37:9: error: [bibliography] style \"chicago-nots\" is not a style bookbuild knows",
        warning: false,
    },
    Case {
        name: "unknown locale",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace(
                    "style = \"chicago-notes\"",
                    "style = \"chicago-notes\"\nlocale = \"xx-YY\"",
                )
            })
        },
        expect: "build.toml:38:10: error: [bibliography] locale \"xx-YY\" is not a locale bookbuild has",
        warning: false,
    },
    Case {
        name: "missing reference file",
        break_it: |p| std::fs::remove_file(p.join("references.bib")).unwrap(),
        expect: "build.toml:36:10: error: the reference file references.bib does not exist",
        warning: false,
    },
    Case {
        name: "notes at the back without @notes",
        break_it: |p| append(&p.join("build.toml"), "\n[notes]\nplacement = \"book\"\n"),
        expect: "build.toml:40:13: error: [notes] placement = \"book\" needs a place for the notes",
        warning: false,
    },
    Case {
        name: "a bare @word that is no key",
        break_it: |p| append(&p.join("manuscript/chapter-2.md"), "\nAsk @someone.\n"),
        expect: "manuscript/chapter-2.md:12:5: warning: @someone is not a key of the bibliography; it is printed as written",
        warning: true,
    },
    Case {
        name: "missing file in contents",
        break_it: |p| append(&contents(p), "- [Missing](missing.md)\n"),
        expect: "manuscript/contents.md:16:3: error: manuscript/missing.md does not exist",
        warning: false,
    },
    Case {
        name: "file listed twice",
        break_it: |p| append(&contents(p), "- [Again](chapter-1.md)\n"),
        expect: "manuscript/contents.md:16:3: error: manuscript/chapter-1.md is listed twice in contents.md (first on line 8)",
        warning: false,
    },
    Case {
        name: "generated entry twice",
        break_it: |p| append(&contents(p), "- [Index again](@index)\n"),
        expect: "manuscript/contents.md:16:3: error: @index appears twice in contents.md (first on line 14)",
        warning: false,
    },
    Case {
        name: "unknown generated entry",
        break_it: |p| append(&contents(p), "- [Glossary](@glossary)\n"),
        expect: "manuscript/contents.md:16:3: error: unknown generated entry \"@glossary\"",
        warning: false,
    },
    Case {
        name: "entry before any division",
        break_it: |p| edit(&contents(p), |s| format!("- [Early](chapter-1.md)\n{s}")),
        expect: "manuscript/contents.md:1:1: error: an entry comes before any division heading",
        warning: false,
    },
    Case {
        name: "unknown division",
        break_it: |p| edit(&contents(p), |s| s.replace("# Body", "# Middle")),
        expect: "manuscript/contents.md:6:1: error: unknown division \"Middle\"",
        warning: false,
    },
    Case {
        name: "broken cross-reference",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\nSee [there](#nowhere).\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:5: error: broken cross-reference: no heading has the id #nowhere",
        warning: false,
    },
    Case {
        name: "footnote reference without definition",
        break_it: |p| append(&p.join("manuscript/chapter-2.md"), "\nA claim.[^src]\n"),
        expect: "manuscript/chapter-2.md:12:9: error: footnote reference [^src] has no definition",
        warning: false,
    },
    Case {
        name: "unused footnote definition",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\n[^lonely]: Never cited.\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:1: warning: footnote [^lonely] is defined but never referenced",
        warning: true,
    },
    Case {
        name: "missing image",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-1.md"),
                "\n![A map](images/map.png)\n",
            )
        },
        expect: "manuscript/chapter-1.md:16:1: error: image manuscript/images/map.png: the file does not exist",
        warning: false,
    },
    Case {
        name: "unreadable image",
        break_it: |p| {
            std::fs::write(
                p.join("manuscript/images/map.png"),
                b"this is not a picture",
            )
            .unwrap();
            append(
                &p.join("manuscript/chapter-1.md"),
                "\n![A map](images/map.png)\n",
            );
        },
        expect: "manuscript/chapter-1.md:16:1: error: image manuscript/images/map.png: is damaged",
        warning: false,
    },
    Case {
        name: "image outside the project",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-1.md"),
                "\n![A map](../../../map.png)\n",
            )
        },
        expect: "manuscript/chapter-1.md:16:1: error: image \"../../../map.png\" leaves the project directory",
        warning: false,
    },
    Case {
        name: "contents path with ..",
        break_it: |p| append(&contents(p), "- [Outside](../../outside.md)\n"),
        expect: "manuscript/contents.md:16:3: error: \"../../outside.md\" leaves the project directory",
        warning: false,
    },
    Case {
        name: "absolute contents path",
        break_it: |p| append(&contents(p), "- [Passwords](/etc/passwd)\n"),
        expect: "manuscript/contents.md:16:3: error: \"/etc/passwd\" is an absolute path",
        warning: false,
    },
    Case {
        name: "symlink pointing out",
        break_it: |p| {
            let outside = p.parent().unwrap().join("outside.md");
            std::fs::write(&outside, "# Outside\n").unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(&outside, p.join("manuscript/linked.md")).unwrap();
            append(&contents(p), "- [Linked](linked.md)\n");
        },
        expect: "manuscript/contents.md:16:3: error: \"linked.md\" is a symbolic link (or goes through one) that points outside the project",
        warning: false,
    },
    Case {
        name: "invalid UTF-8 in a chapter",
        break_it: |p| {
            std::fs::write(
                p.join("manuscript/chapter-2.md"),
                b"# Two\n\nCaf\xe9 au lait\n",
            )
            .unwrap()
        },
        expect: "manuscript/chapter-2.md:3:4: error: the file is not valid UTF-8",
        warning: false,
    },
    Case {
        name: "invalid UTF-8 in build.toml",
        break_it: |p| {
            let s = std::fs::read_to_string(p.join("build.toml")).unwrap();
            let mut bytes = s.replace("Your Name", "Ren\u{e9}").into_bytes();
            let at = bytes
                .windows(2)
                .position(|w| w == "\u{e9}".as_bytes())
                .unwrap();
            bytes.splice(at..at + 2, [0xe9]);
            std::fs::write(p.join("build.toml"), bytes).unwrap();
        },
        expect: "build.toml:5:16: error: the file is not valid UTF-8",
        warning: false,
    },
    Case {
        name: "unknown key in [book]",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("language = \"en\"", "language = \"en\"\ntitel = \"typo\"")
            })
        },
        expect: "build.toml:7:1: error: unknown key `titel` in [book]",
        warning: false,
    },
    Case {
        name: "unknown section",
        break_it: |p| append(&p.join("build.toml"), "\n[layout]\nwidth = 3\n"),
        expect: "build.toml:39:2: error: unknown key `layout` in build.toml",
        warning: false,
    },
    Case {
        name: "length without unit",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("top = \"18mm\"", "top = \"18\"")
            })
        },
        expect: "build.toml:19:19: error: [pdf] margins.top: length \"18\" has no unit",
        warning: false,
    },
    Case {
        name: "unknown trim",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("trim = \"A5\"", "trim = \"A11\"")
            })
        },
        expect: "build.toml:18:8: error: [pdf] trim: unknown trim size \"A11\"",
        warning: false,
    },
    Case {
        name: "TOML syntax error",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("trim = \"A5\"", "trim = A5")
            })
        },
        expect: "build.toml:18:8: error: TOML syntax",
        warning: false,
    },
    Case {
        name: "missing title",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("title = \"A Small Book\"\n", "")
            })
        },
        expect: "build.toml:1:1: error: [book] title is required",
        warning: false,
    },
    Case {
        name: "bad language tag",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace("language = \"en\"", "language = \"English\"")
            })
        },
        expect: "build.toml:6:12: error: [book] language \"English\" is not a BCP 47 language tag",
        warning: false,
    },
    Case {
        name: "bad ISBN check digit",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                s.replace(
                    "language = \"en\"",
                    "language = \"en\"\nisbn_print = \"978-0-306-40615-8\"",
                )
            })
        },
        expect: "build.toml:7:14: error: [book] isbn_print \"978-0-306-40615-8\" is not a valid ISBN",
        warning: false,
    },
    Case {
        name: "@ordering without [ordering]",
        break_it: |p| {
            edit(&p.join("build.toml"), |s| {
                let a = s.find("[ordering]").unwrap();
                let b = s.find("[pdf]").unwrap();
                format!("{}{}", &s[..a], &s[b..])
            })
        },
        expect: "manuscript/contents.md:15:3: error: @ordering needs an [ordering] section in build.toml",
        warning: false,
    },
    Case {
        name: "see to a missing index entry",
        break_it: |p| {
            append(
                &p.join("manuscript/index.toml"),
                "\n[[entry]]\nterm = \"kerning\"\nsee = \"letterspacing\"\n",
            )
        },
        expect: "manuscript/index.toml:11:7: error: \"letterspacing\" is not an index entry",
        warning: false,
    },
    Case {
        name: "unknown key in index.toml",
        break_it: |p| {
            append(
                &p.join("manuscript/index.toml"),
                "\n[[entry]]\nterm = \"kerning\"\nsee_als = [\"typesetting\"]\n",
            )
        },
        expect: "manuscript/index.toml:11:1: error: unknown key `see_als` in [[entry]]",
        warning: false,
    },
    Case {
        name: "index term matching nothing",
        break_it: |p| {
            append(
                &p.join("manuscript/index.toml"),
                "\n[[entry]]\nterm = \"ligature\"\n",
            )
        },
        expect: "manuscript/index.toml:10:8: warning: index term \"ligature\" matches nothing in the text",
        warning: true,
    },
    Case {
        name: "index marker naming no entry",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\nMarked ((kerning)) here.\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:8: warning: index marker names a term that is not in index.toml",
        warning: true,
    },
    Case {
        name: "index marker in a heading",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\n## About ((typesetting))\n\nText.\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:1: warning: an index marker inside a heading is ignored",
        warning: true,
    },
    Case {
        name: "duplicate heading id",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\n## Again {#first-section}\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:1: error: the heading id #first-section is used twice",
        warning: false,
    },
    Case {
        name: "link to a file outside the book",
        break_it: |p| {
            append(
                &p.join("manuscript/chapter-2.md"),
                "\nSee [notes](notes.txt).\n",
            )
        },
        expect: "manuscript/chapter-2.md:12:5: error: link to \"notes.txt\", which is not a file of the book's contents",
        warning: false,
    },
    Case {
        name: "missing contents.md",
        break_it: |p| std::fs::remove_file(contents(p)).unwrap(),
        expect: "manuscript/contents.md:1:1: error: manuscript/contents.md is missing",
        warning: false,
    },
    Case {
        name: "missing build.toml",
        break_it: |p| std::fs::remove_file(p.join("build.toml")).unwrap(),
        expect: "build.toml:1:1: error: no build.toml in",
        warning: false,
    },
    Case {
        name: "unlisted chapter file",
        break_it: |p| std::fs::write(p.join("manuscript/draft.md"), "# Draft\n").unwrap(),
        expect: "manuscript/draft.md:1:1: warning: manuscript/draft.md is not listed in contents.md",
        warning: true,
    },
];

#[test]
fn every_broken_project_fails_cleanly() {
    assert!(CASES.len() >= 25);
    let mut failures = Vec::new();
    for case in CASES {
        let dir = init_project();
        let p = book(&dir);
        (case.break_it)(&p);
        let before = files(&p);
        let args: Vec<&str> = if case.warning {
            vec!["build", "--deny-warnings"]
        } else {
            vec!["build"]
        };
        let out = run(&p, &args);
        let err = stderr(&out);
        let mut problems = Vec::new();
        if out.status.code() != Some(1) {
            problems.push(format!("exit code {:?}, expected 1", out.status.code()));
        }
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            problems.push("it panicked".to_string());
        }
        if !err.contains(case.expect) {
            problems.push(format!("no message containing {:?}", case.expect));
        }
        if p.join("build").exists() || files(&p) != before {
            problems.push("files were written".to_string());
        }
        // Without --deny-warnings a warning alone does not fail the check.
        if case.warning {
            let lenient = run(&p, &["check"]);
            if lenient.status.code() != Some(0) {
                problems.push(format!(
                    "check without --deny-warnings exited {:?}",
                    lenient.status.code()
                ));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n--- stderr:\n{err}",
                case.name,
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
