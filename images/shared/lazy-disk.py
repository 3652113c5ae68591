#!/usr/bin/env python3
"""drill's lazy disk: a FUSE passthrough whose unsynced writes live only in this process's memory.

Usage: lazy-disk BACKING MOUNTPOINT [--writeback-s N]

What it models is a disk under a page cache at the instant power goes out (docs/power-loss.md):
- write() and truncate() change only an in-memory copy of the file (the "page cache"); reads see them;
- fsync()/fdatasync() write the file's changed ranges to BACKING and fsync them there: then they are
  durable, and only then;
- like the kernel's writeback (dirty_expire_centisecs, 30 s), a file dirty for longer than
  --writeback-s is written back by a background thread (0 turns that off);
- metadata (create, rename, unlink, mkdir) goes to BACKING at once: data loss is the point, not
  directory-entry loss;
- power loss: SIGKILL this process (the container dies as a whole: its init is killed, and with it every
  process of the container). The unsynced data dies with the memory that held it; BACKING keeps exactly
  what was fsynced. A kill -9 of the database alone is NOT power loss: its writes sit in the page cache
  and survive it.
The same idea as Jepsen's LazyFS (a FUSE layer that loses unsynced data), written here for drill.
"""

import errno
import os
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations  # Debian names the fusepy module fusepy


class Cached:
    """A file's content as the page cache has it, and which byte ranges differ from BACKING (none: clean)."""

    def __init__(self, content):
        self.content = content
        self.ranges = []  # [start, end) pairs written since the last sync
        self.size_changed = False
        self.since = time.monotonic()  # when it last went from clean to dirty

    def dirty(self):
        return bool(self.ranges) or self.size_changed

    def mark(self, start, end):
        if not self.dirty():
            self.since = time.monotonic()
        self.ranges.append((start, end))
        if len(self.ranges) > 64:  # keep the list short: one range covering them all
            lo = min(r[0] for r in self.ranges)
            hi = max(r[1] for r in self.ranges)
            self.ranges = [(lo, hi)]


class LazyDisk(Operations):
    def __init__(self, backing, writeback_s):
        self.backing = os.path.realpath(backing)
        self.mutex = threading.Lock()  # not "lock": fusepy calls the FUSE op of that name (POSIX locks)
        self.cache = {}  # path -> Cached: every file written since the mount (clean or dirty)
        self.writeback_s = writeback_s
        self.synced_bytes = 0

    def _full(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def _load(self, path):
        # A file once written stays cached, clean after an fsync: reading a large file (InnoDB's redo log)
        # back from BACKING at every commit would make each commit cost the whole file.
        d = self.cache.get(path)
        if d is None:
            with open(self._full(path), "rb") as f:
                d = Cached(bytearray(f.read()))
            self.cache[path] = d
        return d

    def _sync(self, path):
        d = self.cache.get(path)
        if d is None or not d.dirty():
            return
        fd = os.open(self._full(path), os.O_WRONLY)
        try:
            size = len(d.content)
            for start, end in d.ranges:
                end = min(end, size)
                if end > start:
                    os.pwrite(fd, bytes(d.content[start:end]), start)
                    self.synced_bytes += end - start
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)
        d.ranges = []
        d.size_changed = False

    # --- the kernel's writeback: files dirty for longer than writeback_s are written back -----------------

    def writeback_loop(self):
        while True:
            time.sleep(1)
            now = time.monotonic()
            with self.mutex:
                for path in [p for p, d in self.cache.items() if d.dirty() and now - d.since >= self.writeback_s]:
                    try:
                        self._sync(path)
                    except OSError:
                        pass

    # --- data: the page cache ------------------------------------------------------------------------------

    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        attrs = {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}
        with self.mutex:
            d = self.cache.get(path)
            if d is not None:
                attrs["st_size"] = len(d.content)
        return attrs

    def read(self, path, size, offset, fh):
        with self.mutex:
            d = self.cache.get(path)
            if d is not None:
                return bytes(d.content[offset : offset + size])
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        with self.mutex:
            d = self._load(path)
            end = offset + len(data)
            if offset > len(d.content):
                d.mark(len(d.content), offset)
                d.content.extend(b"\0" * (offset - len(d.content)))
            d.content[offset:end] = data
            d.mark(offset, end)
        return len(data)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            d = self._load(path)
            if not d.dirty():
                d.since = time.monotonic()
            old = len(d.content)
            if length < old:
                del d.content[length:]
            elif length > old:
                d.content.extend(b"\0" * (length - old))
                d.mark(old, length)
            d.size_changed = True

    def fsync(self, path, datasync, fh):
        with self.mutex:
            self._sync(path)
        return 0

    def flush(self, path, fh):
        return 0  # close() makes nothing durable

    def open(self, path, flags):
        accmode = flags & os.O_ACCMODE
        return os.open(self._full(path), os.O_RDONLY if accmode == os.O_RDONLY else os.O_RDWR)

    def create(self, path, mode, fi=None):
        # The new (empty) file exists at once, as its directory entry would after a journal commit.
        fd = os.open(self._full(path), os.O_RDWR | os.O_CREAT | os.O_TRUNC, mode)
        with self.mutex:
            self.cache.pop(path, None)
        return fd

    def release(self, path, fh):
        os.close(fh)
        return 0

    # --- metadata: straight to BACKING ---------------------------------------------------------------------

    def unlink(self, path):
        with self.mutex:
            self.cache.pop(path, None)
            os.unlink(self._full(path))

    def rename(self, old, new):
        with self.mutex:
            os.rename(self._full(old), self._full(new))
            self.cache.pop(new, None)
            moved = self.cache.pop(old, None)
            if moved is not None:
                self.cache[new] = moved

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        os.mkdir(self._full(path), mode)

    def rmdir(self, path):
        os.rmdir(self._full(path))

    def chmod(self, path, mode):
        os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._full(path), times)

    def access(self, path, amode):
        if not os.access(self._full(path), amode):
            raise FuseOSError(errno.EACCES)

    def readlink(self, path):
        return os.readlink(self._full(path))

    def symlink(self, target, source):
        os.symlink(source, self._full(target))

    def link(self, target, source):
        os.link(self._full(source), self._full(target))

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def fsyncdir(self, path, datasync, fh):
        return 0  # directory entries are already in BACKING


def main():
    args = sys.argv[1:]
    writeback_s = 30.0
    if "--writeback-s" in args:
        i = args.index("--writeback-s")
        writeback_s = float(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit("usage: lazy-disk BACKING MOUNTPOINT [--writeback-s N]")
    backing, mountpoint = args
    os.makedirs(backing, exist_ok=True)
    os.makedirs(mountpoint, exist_ok=True)
    disk = LazyDisk(backing, writeback_s)
    if writeback_s > 0:
        threading.Thread(target=disk.writeback_loop, daemon=True).start()
    print(f"lazy-disk: {mountpoint} over {backing}, unsynced writes kept in memory, writeback after {writeback_s:g} s", flush=True)
    FUSE(disk, mountpoint, foreground=True, allow_other=True, nothreads=False)


if __name__ == "__main__":
    main()
