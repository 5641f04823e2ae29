//! This thread's [`Host`], installed once by `Runtime::new`, and the line
//! buffers of its interpreter's output.

use std::cell::RefCell;
use std::rc::Rc;

use crate::{Host, LineBuffer, Stream};

thread_local! {
    static HOST: RefCell<Option<Rc<dyn Host>>> = const { RefCell::new(None) };
    static BUFFERS: RefCell<[LineBuffer; 2]> = RefCell::new(Default::default());
}

/// Makes `host` the host of this thread's interpreter.
pub(crate) fn install_host(host: Rc<dyn Host>) {
    HOST.with(|slot| *slot.borrow_mut() = Some(host));
}

/// The host of this thread's interpreter.
pub(crate) fn host() -> Rc<dyn Host> {
    HOST.with(|slot| slot.borrow().clone())
        .expect("rustpy: the interpreter runs only after Runtime::new installed a host")
}

/// Writes `text` to `stream`: the complete lines go to the host, the rest waits.
pub(crate) fn write(stream: Stream, text: &str) {
    let index = stream as usize;
    let lines = BUFFERS.with(|buffers| buffers.borrow_mut()[index].push(text));
    if lines.is_empty() {
        return;
    }
    let host = host();
    for line in lines {
        host.write_line(stream, &line);
    }
}

/// Emits unfinished lines (e.g. `print(x, end="")`) and whatever the host held back: at
/// the end of a run and before a wait.
pub(crate) fn flush_output() {
    let host = host();
    for stream in [Stream::Stdout, Stream::Stderr] {
        if let Some(rest) =
            BUFFERS.with(|buffers| buffers.borrow_mut()[stream as usize].take_partial())
        {
            host.write_line(stream, &rest);
        }
    }
    host.flush_held_output();
}
