//! Reading a file named by the config or the command line, bounded: a file that is
//! not a regular file (a FIFO with no writer would block forever, a device would never
//! end) or larger than its limit is refused with its size, never read whole into
//! memory.

use std::io::Read;
use std::path::Path;

/// The bytes of `path`, at most `max`; an error naming the file otherwise.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "{}: not a regular file (a pipe or a device is not read)",
            path.display()
        ));
    }
    if meta.len() > max {
        return Err(format!(
            "{}: {} bytes, more than the {max} this input may have",
            path.display(),
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{}: grew past the {max} bytes this input may have while it was read",
            path.display()
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_file_or_a_pipe_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2000]).unwrap();
        let e = read_limited(&big, 1000).unwrap_err();
        assert!(e.contains("2000 bytes, more than the 1000"), "{e}");
        assert_eq!(read_limited(&big, 2000).unwrap().len(), 2000);
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_limited(&fifo, 1000).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
