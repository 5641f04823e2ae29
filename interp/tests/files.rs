//! The in-memory filesystem (`_rustpy_fs`) natively: the config's files are there before
//! the script runs; `open()` text and binary, `os` calls, imports of the user's modules
//! and packages, errors as CPython raises them.

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{run_ok, runtime, runtime_with_files};

#[test]
fn the_configs_files_are_there_and_importable() {
    let (host, rt) = runtime_with_files(&[
        ("./data.csv", b"a,b\n1,2\n"),
        ("./pkg/__init__.py", b"from .inner import X\n"),
        ("./pkg/inner.py", b"X = 5\n"),
        ("/opt/lib/extra.py", b"Y = 'extra'\n"),
    ]);
    run_ok(
        &host,
        &rt,
        "import os, sys\n\
         import pkg\n\
         sys.path.append('/opt/lib')\n\
         import extra\n\
         print(pkg.X, pkg.__file__, pkg.__path__, extra.Y)\n\
         print(open('data.csv').read().split())\n\
         print(sorted(os.listdir('.')), os.path.isdir('pkg'), os.path.exists('/opt/lib/extra.py'))",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "5 /home/rustpy/pkg/__init__.py ['/home/rustpy/pkg'] extra",
            "['a,b', '1,2']",
            "['data.csv', 'pkg'] True True",
        ]
    );
}

#[test]
fn files_are_written_read_moved_and_removed() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import os\n\
         os.makedirs('a/b')\n\
         with open('a/b/t.txt', 'w') as f:\n    f.write('héllo\\n')\n\
         with open('a/b/t.txt', 'a') as f:\n    f.write('more\\n')\n\
         with open('a/bin', 'wb') as f:\n    f.write(bytes(range(10)))\n\
         with open('a/bin', 'r+b') as f:\n    f.seek(8)\n    f.write(b'xyz')\n\
         print(open('a/b/t.txt').readlines(), open('a/bin', 'rb').read()[6:])\n\
         print(os.stat('a/b/t.txt').st_size, os.path.getsize('a/bin'))\n\
         os.rename('a/b', 'a/c')\n\
         os.remove('a/bin')\n\
         print(list(os.walk('a')))\n\
         os.chdir('a')\n\
         print(os.getcwd(), os.listdir())",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "['héllo\\n', 'more\\n'] b'\\x06\\x07xyz'",
            "12 11",
            "[('a', ['c'], []), ('a/c', [], ['t.txt'])]",
            "/home/rustpy/a ['c']",
        ]
    );
}

#[test]
fn errors_are_the_ones_cpython_raises() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import os\n\
         def kind(f):\n    try:\n        f()\n    except OSError as e:\n        return f'{type(e).__name__} {e.errno}'\n\
         os.mkdir('d')\n\
         open('d/f', 'w').close()\n\
         print(kind(lambda: open('nope')), kind(lambda: open('d')), kind(lambda: os.mkdir('d')))\n\
         print(kind(lambda: os.rmdir('d')), kind(lambda: open('d/f', 'x')), kind(lambda: os.listdir('d/f')))\n\
         print(kind(lambda: open('missing/f', 'w')))",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "FileNotFoundError 2 IsADirectoryError 21 FileExistsError 17",
            "OSError 39 FileExistsError 17 NotADirectoryError 20",
            "FileNotFoundError 2",
        ]
    );
}

#[test]
fn a_module_written_at_run_time_imports_and_shadows_the_library() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "with open('fresh.py', 'w') as f:\n    f.write('V = 42\\n')\n\
         with open('textwrap.py', 'w') as f:\n    f.write('MINE = True\\n')\n\
         import fresh, textwrap\n\
         print(fresh.V, textwrap.MINE)",
    );
    assert_eq!(host.stdout(), vec!["42 True"]);
}

#[test]
fn descriptors_and_tempfile_work_on_the_in_memory_files() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import os, tempfile, errno\n\
         fd = os.open('d.bin', os.O_WRONLY | os.O_CREAT | os.O_EXCL)\n\
         print(fd >= 3, os.write(fd, b'abcdef'), os.lseek(fd, 2, os.SEEK_SET))\n\
         os.write(fd, b'XY')\n\
         os.ftruncate(fd, 5)\n\
         print(os.fstat(fd).st_size)\n\
         os.close(fd)\n\
         print(open('d.bin', 'rb').read())\n\
         try:\n    os.open('d.bin', os.O_RDWR | os.O_CREAT | os.O_EXCL)\n\
         except FileExistsError as e:\n    print('exists', e.errno == errno.EEXIST)\n\
         try:\n    os.close(fd)\n\
         except OSError as e:\n    print('closed', e.errno == errno.EBADF)\n\
         try:\n    os.read(os.open('d.bin', os.O_WRONLY), 1)\n\
         except Exception as e:\n    print('write-only', type(e).__name__)\n\
         fd = os.open('d.bin', os.O_RDONLY)\n\
         with os.fdopen(fd, 'rb') as f:\n    print(f.read(), f.fileno() == fd)\n\
         print(f.closed)\n\
         print(tempfile.gettempdir())\n\
         with tempfile.NamedTemporaryFile('w+', suffix='.csv') as t:\n    t.write('a,b')\n    t.seek(0)\n    print(t.read(), open(t.name).read(), t.name.endswith('.csv'))\n\
         print(os.path.exists(t.name))\n\
         with tempfile.TemporaryFile() as t:\n    t.write(b'xyz')\n    t.seek(0)\n    print(t.read())\n\
         with tempfile.TemporaryDirectory() as d:\n    open(os.path.join(d, 'x'), 'w').close()\n    print(os.listdir(d))\n\
         print(os.path.exists(d))",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "True 6 2",
            "5",
            "b'abXYe'",
            "exists True",
            "closed True",
            "write-only UnsupportedOperation",
            "b'abXYe' True",
            "True",
            "/tmp",
            "a,b a,b True",
            "False",
            "b'xyz'",
            "['x']",
            "False",
        ]
    );
}
