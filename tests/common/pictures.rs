//! A book with pictures of every shape and colour type, for the figure tests: landscape,
//! portrait, panorama, square, taller than the text block, tiny and huge; greyscale,
//! paletted, alpha and RGB PNGs; RGB, greyscale and CMYK JPEGs; and the attributes
//! `{width=…}`, `{page}` and `{here}`.

use std::path::Path;

use image::{
    DynamicImage, GrayAlphaImage, GrayImage, ImageFormat, Luma, LumaA, Rgb, RgbImage, Rgba,
    RgbaImage,
};

/// A picture of the book: file name, alt text, title (the caption, when given), attributes.
pub struct Picture {
    pub file: &'static str,
    pub alt: &'static str,
    pub title: Option<&'static str>,
    pub attrs: &'static str,
}

/// The pictures, in the order the book has them.
pub const PICTURES: &[Picture] = &[
    Picture {
        file: "landscape.png",
        alt: "A wide field of wheat under a low sky",
        title: Some("The fields at harvest"),
        attrs: "",
    },
    Picture {
        file: "portrait.png",
        alt: "A standing figure in grey",
        title: None,
        attrs: "",
    },
    Picture {
        file: "panorama.jpg",
        alt: "A long panorama of hills",
        title: Some("The range from the pass"),
        attrs: "",
    },
    Picture {
        file: "square.png",
        alt: "A square engraving",
        title: None,
        attrs: "{#fig-square}",
    },
    Picture {
        file: "tall.png",
        alt: "A very tall tower",
        title: Some("The tower, taller than the page"),
        attrs: "",
    },
    Picture {
        file: "tiny.png",
        alt: "A small ornament",
        title: None,
        attrs: "",
    },
    Picture {
        file: "huge.jpg",
        alt: "A large aerial photograph",
        title: Some("From the air"),
        attrs: "",
    },
    Picture {
        file: "grey.jpg",
        alt: "A grey photograph of a street",
        title: None,
        attrs: "{width=50%}",
    },
    Picture {
        file: "cmyk.jpg",
        alt: "A cover printed in four colours",
        title: Some("A CMYK picture"),
        attrs: "",
    },
    Picture {
        file: "alpha.png",
        alt: "A shape on a transparent ground",
        title: None,
        attrs: "{here}",
    },
    Picture {
        file: "plate.png",
        alt: "A full-page map",
        title: Some("The map of the valley"),
        attrs: "{page}",
    },
];

fn save(img: DynamicImage, path: &Path, format: ImageFormat) {
    img.save_with_format(path, format)
        .expect("the picture is written");
}

fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w.max(1)) as u8,
            (y * 255 / h.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// Writes the pictures into `dir`.
pub fn write_pictures(dir: &Path, corpus: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    save(
        DynamicImage::ImageRgb8(gradient(1500, 1000)),
        &dir.join("landscape.png"),
        ImageFormat::Png,
    );
    save(
        DynamicImage::ImageLuma8(GrayImage::from_fn(1000, 1500, |x, y| {
            Luma([((x ^ y) % 256) as u8])
        })),
        &dir.join("portrait.png"),
        ImageFormat::Png,
    );
    save(
        DynamicImage::ImageRgb8(gradient(3000, 300)),
        &dir.join("panorama.jpg"),
        ImageFormat::Jpeg,
    );
    // A paletted PNG: one of Tenniel's, as the Alice corpus has them (4-bit palette).
    std::fs::copy(
        corpus.join("alices-adventures-in-wonderland/manuscript/images/illustration-3.png"),
        dir.join("square.png"),
    )
    .unwrap();
    save(
        DynamicImage::ImageLumaA8(GrayAlphaImage::from_fn(500, 3000, |x, y| {
            LumaA([(y % 256) as u8, (x % 256) as u8])
        })),
        &dir.join("tall.png"),
        ImageFormat::Png,
    );
    save(
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(24, 24, Rgba([120, 30, 30, 255]))),
        &dir.join("tiny.png"),
        ImageFormat::Png,
    );
    save(
        DynamicImage::ImageRgb8(gradient(5000, 4000)),
        &dir.join("huge.jpg"),
        ImageFormat::Jpeg,
    );
    save(
        DynamicImage::ImageLuma8(GrayImage::from_fn(1200, 800, |x, _| {
            Luma([(x % 256) as u8])
        })),
        &dir.join("grey.jpg"),
        ImageFormat::Jpeg,
    );
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/front-cmyk.jpg"),
        dir.join("cmyk.jpg"),
    )
    .unwrap();
    save(
        DynamicImage::ImageRgba8(RgbaImage::from_fn(800, 600, |x, y| {
            Rgba([
                20,
                80,
                160,
                if (x / 40 + y / 40) % 2 == 0 { 255 } else { 0 },
            ])
        })),
        &dir.join("alpha.png"),
        ImageFormat::Png,
    );
    save(
        DynamicImage::ImageRgb8(gradient(1800, 2400)),
        &dir.join("plate.png"),
        ImageFormat::Png,
    );
}

fn prose(k: usize, n: usize) -> String {
    let words = [
        "The", "valley", "lay", "under", "snow", "and", "the", "riders", "came", "down", "from",
        "the", "pass", "at", "dusk", "with", "news", "of", "the", "treaty", "signed", "far",
        "away",
    ];
    (0..n)
        .map(|p| {
            let len = 40 + (p * 31 + k * 7) % 80;
            let s: Vec<&str> = (0..len)
                .map(|i| words[(i * 5 + p * 3 + k) % words.len()])
                .collect();
            format!("{}.\n\n", s.join(" "))
        })
        .collect()
}

/// A project in `dir` with the pictures spread over three chapters, figures numbered and a
/// list of illustrations.
pub fn every_shape_book(dir: &Path, corpus: &Path) {
    let m = dir.join("manuscript");
    write_pictures(&m.join("images"), corpus);
    std::fs::write(
        dir.join("build.toml"),
        "[book]\ntitle = \"Pictures of Every Kind\"\nauthors = [\"A. Tester\"]\nlanguage = \"en\"\nfigure_numbers = true\n\n[pdf]\ntrim = \"6x9in\"\nmargins = { top = \"0.7in\", bottom = \"0.8in\", inner = \"0.85in\", outer = \"0.6in\" }\nbleed = \"0.125in\"\n",
    )
    .unwrap();
    let mut chapters = [String::new(), String::new(), String::new()];
    for (k, p) in PICTURES.iter().enumerate() {
        let c = &mut chapters[k * 3 / PICTURES.len()];
        c.push_str(&prose(k, 2 + k % 3));
        let title = p.title.map(|t| format!(" \"{t}\"")).unwrap_or_default();
        c.push_str(&format!(
            "![{}](images/{}{title}){}\n\n",
            p.alt, p.file, p.attrs
        ));
    }
    chapters[2].push_str("See [](#fig-square) for the engraving.\n\n");
    let mut contents = String::from(
        "# Front matter\n\n- [Contents](@contents)\n- [Illustrations](@figures)\n\n# Body\n\n",
    );
    for (i, c) in chapters.iter().enumerate() {
        std::fs::write(
            m.join(format!("chapter-{}.md", i + 1)),
            format!("# Chapter {}\n\n{c}{}", i + 1, prose(i + 20, 6)),
        )
        .unwrap();
        contents.push_str(&format!("- [Chapter {}](chapter-{}.md)\n", i + 1, i + 1));
    }
    std::fs::write(m.join("contents.md"), contents).unwrap();
}
