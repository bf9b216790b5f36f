//! How the binary's allocator holds memory, and freed memory given back to the system before
//! a build's largest allocation.
//!
//! mimalloc (the binary's allocator, see Cargo.toml) keeps the pages a thread frees for that
//! thread to use again, and returns them to the system only when that thread next allocates.
//! While krilla puts the PDF together (every written page's stream and then the whole file,
//! the peak of a long book's build), rayon's threads sit idle with what they freed while the
//! book was set still counted against the process. Giving them back first lowered the peak
//! of four copies of War and Peace by 5–13 MB (medians of five builds, with and without), and
//! still by 3-6 MB once freed pages are given back after 10 ms (see [`configure`]): 150 MB
//! instead of 154 (medians of seven).

/// mimalloc's index of its `purge_delay` option (`mi_option_purge_delay` in the mimalloc 3
/// that libmimalloc-sys 0.1.49 builds; its Rust bindings do not name it). The test below
/// checks that the index still names that option.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long, in milliseconds, freed memory stays with the process before it is given back.
/// mimalloc 3 waits a second, longer than most of a build's phases: what typesetting freed
/// was still held while the EPUB and the PDF allocated theirs, and that overlap was the peak.
/// Ten milliseconds (mimalloc 2's default) took War and Peace's `build` peak from 141-168 MB
/// to 72-87 MB together with [`configure`]'s other setting (medians of five, interleaved).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// mimalloc 3's own purge delay.
const PURGE_DELAY_DEFAULT_MS: std::ffi::c_long = 1000;

/// Sets how the allocator holds memory; called once, first thing in `main`.
///
/// Transparent huge pages are turned off for the process: the kernel backs each touched
/// 2 MB region whole, so every half-used region of the allocator counted in full. Without
/// them a build's peak is lower by 25-50 MB (War and Peace: 148 → 99 MB, four copies:
/// 220 → 192 MB), in interleaved runs at the same speed; with them, some builds spent up to a
/// third of a second more in the kernel zeroing and compacting pages for them, most often
/// right after a large program had exited.
pub fn configure() {
    // SAFETY: mi_option_set takes two integers and may be called at any time; an option
    // index it does not know is ignored.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
    no_huge_pages();
}

/// For `watch`, which builds again and again in one process: freed pages are kept for the
/// next build, as mimalloc keeps them by default (a second), instead of being given back
/// and faulted in again on every rebuild. The pages themselves stay ordinary ones.
pub fn keep_freed_between_builds() {
    // SAFETY: as in `configure`.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_DEFAULT_MS) };
}

/// Tells the kernel to back this process with ordinary pages only.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's
    // eligibility for huge pages (kept by the programs it starts: see `without_our_settings`).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// `cmd` with the system's own memory settings: a program bookbuild starts (the browser of
/// `watch --open`) does not inherit [`configure`]'s.
pub fn without_our_settings(cmd: &mut std::process::Command) -> &mut std::process::Command {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the child between fork and exec and makes one
        // system call, which is async-signal-safe; it touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0);
                Ok(())
            });
        }
    }
    cmd
}

/// Each of rayon's threads gives back the pages it has freed. Harmless under another
/// allocator: mimalloc then holds nothing.
pub fn give_back_freed() {
    rayon::broadcast(|_| {
        // SAFETY: mi_collect takes no pointer and may be called on any thread at any time.
        unsafe { libmimalloc_sys::mi_collect(true) }
    });
}

#[cfg(test)]
mod tests {
    /// [`super::PURGE_DELAY`] names mimalloc's purge delay: the option at that index has the
    /// purge delay's default, 1000 ms (tests run under the system allocator, but mimalloc's
    /// options are there all the same, and no test sets this one).
    #[test]
    fn the_purge_delay_index_names_the_purge_delay() {
        // SAFETY: as in `configure`.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(
            default,
            super::PURGE_DELAY_DEFAULT_MS,
            "mimalloc's option {} is not the purge delay",
            super::PURGE_DELAY
        );
    }

    /// After `no_huge_pages`, the kernel no longer gives this process huge pages, and a program
    /// started through `without_our_settings` gets them as the system would.
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_for_us_and_not_for_what_we_start() {
        let thp = |status: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("THP_enabled:"))
                .map(|v| v.trim().to_string())
        };
        let ours = std::fs::read_to_string("/proc/self/status").unwrap();
        // A kernel before 5.0 does not report it; a test run started by a process that
        // turned huge pages off inherits that, and cannot see them turned off here.
        if thp(&ours).as_deref() != Some("1") {
            return;
        }
        super::no_huge_pages();
        let after = std::fs::read_to_string("/proc/self/status").unwrap();
        assert_eq!(thp(&after).as_deref(), Some("0"));
        let child =
            super::without_our_settings(std::process::Command::new("cat").arg("/proc/self/status"))
                .output()
                .unwrap();
        let child = String::from_utf8_lossy(&child.stdout).to_string();
        assert_eq!(thp(&child).as_deref(), Some("1"));
        let plain = std::process::Command::new("cat")
            .arg("/proc/self/status")
            .output()
            .unwrap();
        assert_eq!(
            thp(&String::from_utf8_lossy(&plain.stdout)).as_deref(),
            Some("0")
        );
    }
}
