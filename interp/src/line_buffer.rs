//! Turns Python's piecewise writes (`print` writes the text, then `"\n"`) into lines.

/// Accumulates text and hands out complete lines.
#[derive(Debug, Default)]
pub struct LineBuffer {
    pending: String,
}

impl LineBuffer {
    /// Adds text; returns every line it completed, without their newlines.
    pub fn push(&mut self, text: &str) -> Vec<String> {
        self.pending.push_str(text);
        let Some(last_newline) = self.pending.rfind('\n') else {
            return Vec::new();
        };
        let rest = self.pending.split_off(last_newline + 1);
        let complete = std::mem::replace(&mut self.pending, rest);
        complete[..complete.len() - 1]
            .split('\n')
            .map(str::to_string)
            .collect()
    }

    /// Returns the unfinished line, if any, and empties the buffer.
    pub fn take_partial(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::LineBuffer;

    #[test]
    fn joins_pieces_into_lines() {
        let mut buffer = LineBuffer::default();
        assert!(buffer.push("hello").is_empty());
        assert_eq!(buffer.push(" world\n"), vec!["hello world"]);
        assert_eq!(buffer.take_partial(), None);
    }

    #[test]
    fn splits_several_lines_and_keeps_the_rest() {
        let mut buffer = LineBuffer::default();
        assert_eq!(buffer.push("a\n\nb\nc"), vec!["a", "", "b"]);
        assert_eq!(buffer.take_partial().as_deref(), Some("c"));
        assert_eq!(buffer.take_partial(), None);
    }
}
