//! Unpacking the `.zip` and `.tar.gz` files a config's `files` sends to `"folder/*"`
//! (the `zip` crate, and `flate2` + `tar`). Entries must stay inside the folder: an
//! absolute path or a `..` segment is refused, not written elsewhere.

use std::io::{Cursor, Read};

/// Why an archive could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The bytes are not a readable archive of the kind its name says.
    #[error("{url} is not a readable {kind} archive: {message}")]
    Unreadable {
        /// The archive's URL.
        url: String,
        /// `zip` or `tar.gz`.
        kind: &'static str,
        /// What the reader said.
        message: String,
    },
    /// An entry would land outside the folder.
    #[error("{url} holds \"{entry}\", a path outside the folder it unpacks into")]
    Escapes {
        /// The archive's URL.
        url: String,
        /// The entry's path.
        entry: String,
    },
}

/// The files of one fetched entry: `(path, bytes)` pairs. A plain file is itself at `to`;
/// an archive (`unpack`) gives each of its files at `to/<its path>`.
pub fn place(
    url: &str,
    to: &str,
    unpack: bool,
    bytes: Vec<u8>,
) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    if !unpack {
        return Ok(vec![(to.to_string(), bytes)]);
    }
    let lower = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let files = if lower.ends_with(".zip") {
        unzip(url, &bytes)?
    } else {
        untar(url, &bytes)?
    };
    let folder = to.trim_end_matches('/');
    files
        .into_iter()
        .map(|(entry, data)| {
            let inside = entry
                .split('/')
                .filter(|part| !part.is_empty() && *part != ".")
                .collect::<Vec<_>>();
            if entry.starts_with('/') || inside.contains(&"..") || inside.is_empty() {
                return Err(ArchiveError::Escapes {
                    url: url.to_string(),
                    entry,
                });
            }
            Ok((format!("{folder}/{}", inside.join("/")), data))
        })
        .collect()
}

fn unzip(url: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let unreadable = |e: &dyn std::fmt::Display| ArchiveError::Unreadable {
        url: url.to_string(),
        kind: "zip",
        message: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(|e| unreadable(&e))?;
        if file.is_dir() {
            continue;
        }
        let mut data = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 24));
        file.read_to_end(&mut data).map_err(|e| unreadable(&e))?;
        files.push((file.name().to_string(), data));
    }
    Ok(files)
}

fn untar(url: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let unreadable = |e: &dyn std::fmt::Display| ArchiveError::Unreadable {
        url: url.to_string(),
        kind: "tar.gz",
        message: e.to_string(),
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut files = Vec::new();
    for entry in archive.entries().map_err(|e| unreadable(&e))? {
        let mut entry = entry.map_err(|e| unreadable(&e))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| unreadable(&e))?
            .to_string_lossy()
            .into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| unreadable(&e))?;
        files.push((path, data));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn tar_gz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn a_plain_file_goes_where_it_is_told() {
        assert_eq!(
            place("a.csv", "./d/a.csv", false, b"x".to_vec()).unwrap(),
            vec![("./d/a.csv".into(), b"x".to_vec())]
        );
    }

    #[test]
    fn zips_and_tarballs_unpack_into_their_folder() {
        let zip = zip_of(&[("pkg/__init__.py", b"x = 1"), ("./notes.txt", b"hi")]);
        assert_eq!(
            place("a.zip", "./data/", true, zip).unwrap(),
            vec![
                ("./data/pkg/__init__.py".into(), b"x = 1".to_vec()),
                ("./data/notes.txt".into(), b"hi".to_vec())
            ]
        );
        let tgz = tar_gz_of(&[("m.py", b"y = 2")]);
        assert_eq!(
            place("b.TAR.GZ?v=2", ".", true, tgz).unwrap(),
            vec![("./m.py".into(), b"y = 2".to_vec())]
        );
    }

    #[test]
    fn entries_outside_the_folder_and_bad_bytes_are_refused() {
        let zip = zip_of(&[("../evil.py", b"")]);
        let error = place("a.zip", "d", true, zip).unwrap_err().to_string();
        assert!(error.contains("outside the folder"), "{error}");
        let error = place("https://x/a.zip", "d", true, b"not a zip".to_vec())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("https://x/a.zip is not a readable zip archive"),
            "{error}"
        );
    }
}
