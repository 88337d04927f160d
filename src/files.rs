//! Reading a file named by the config or the command line, bounded: never more than
//! its limit into memory (a larger regular file is refused with its size, a pipe or
//! device that gives more is refused once the limit is passed), and never a hang on a
//! FIFO nobody writes to (that is empty input). A pipe with a writer (`... | lightgate
//! parse --dialect junos /dev/stdin`) is read as usual.

use std::io::Read;
use std::path::Path;

/// The bytes of `path`, at most `max`; an error naming the file otherwise.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let named = |e: std::io::Error| format!("{}: {e}", path.display());
    let meta = std::fs::metadata(path).map_err(named)?;
    if meta.is_file() && meta.len() > max {
        return Err(format!(
            "{}: {} bytes, more than the {max} this input may have",
            path.display(),
            meta.len()
        ));
    }
    // Opened without waiting for a writer (a FIFO's open blocks until one comes), then
    // read blocking: a FIFO without a writer reads as empty, one with a writer as usual.
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(named)?;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function owns, only clearing O_NONBLOCK.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(named)?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{}: more than the {max} bytes this input may have",
            path.display()
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_file_is_refused_and_a_fifo_without_a_writer_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2000]).unwrap();
        let e = read_limited(&big, 1000).unwrap_err();
        assert!(e.contains("2000 bytes, more than the 1000"), "{e}");
        assert_eq!(read_limited(&big, 2000).unwrap().len(), 2000);
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read_limited(&fifo, 1000).unwrap(), Vec::<u8>::new());
        // A device that never ends is cut at the limit.
        let e = read_limited(Path::new("/dev/zero"), 1000).unwrap_err();
        assert!(e.contains("more than the 1000 bytes"), "{e}");
    }
}
