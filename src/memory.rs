//! Freed memory given back to the system before a build's largest allocation.
//!
//! mimalloc (the binary's allocator, see Cargo.toml) keeps the pages a thread frees for that
//! thread to use again, and returns them to the system only when that thread next allocates.
//! While krilla puts the PDF together (every written page's stream and then the whole file,
//! the peak of a long book's build), rayon's threads sit idle with what they freed while the
//! book was set still counted against the process: 10–15 MB at the peak of four copies of
//! War and Peace.

/// Each of rayon's threads gives back the pages it has freed. Harmless under another
/// allocator: mimalloc then holds nothing.
pub fn give_back_freed() {
    rayon::broadcast(|_| {
        // SAFETY: mi_collect only walks the calling thread's own heap; it takes no pointers.
        unsafe { libmimalloc_sys::mi_collect(true) }
    });
}
