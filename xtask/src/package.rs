//! `cargo xtask package`: the npm tarball of `dist/rustpy/` (`rustpy-package`), with a
//! listing of what it holds.

use crate::{TaskError, root};

/// Writes `dist/rustpy-<version>.tgz` from the `dist/rustpy/` that `cargo xtask dist` built
/// (with its precompressed copies) and prints its contents and sizes.
pub fn package() -> Result<(), TaskError> {
    let compressed = root().join("dist/rustpy/rustpy_wasm_bg.wasm.br");
    if !compressed.is_file() {
        return Err(TaskError::Setup(format!(
            "{} is missing: build dist/rustpy/ with its compressed copies first (`cargo xtask dist`, \
             not --no-compress)",
            compressed.display()
        )));
    }
    let packed = rustpy_package::pack(&root(), &root().join("dist"))?;
    let mut library = (0usize, 0u64);
    for entry in &packed.entries {
        if entry.name.starts_with("library/") {
            library.0 += 1;
            library.1 += entry.bytes;
        } else {
            println!("{:>12}  {}", entry.bytes, entry.name);
        }
    }
    println!(
        "{:>12}  library/ ({} files, with their .br/.gz copies)",
        library.1, library.0
    );
    println!(
        "{}: {} files, {} bytes packed, {} bytes unpacked",
        packed.path.display(),
        packed.entries.len(),
        packed.packed_bytes,
        packed.unpacked_bytes()
    );
    Ok(())
}
