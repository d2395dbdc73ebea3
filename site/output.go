package site

import (
	"bytes"
	"errors"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Output receives the files of a build as they are made. A build stages
// every file, then commits (the site becomes the staged files) or aborts
// (the site stays as it was). Stage is called from many goroutines.
type Output interface {
	Stage(name string, data []byte) error
	Commit(names map[string]bool) (written, removed int, err error)
	Abort()
}

// stagedSuffix marks a file written by a build that has not committed.
const stagedSuffix = ".winnow-staged"

// marker is the file that tells a directory holds a site this program
// built, and so may remove files from it.
const marker = ".winnow-site"

var seed = maphash.MakeSeed()

// Dir writes a site to a directory. A file is written only when its
// contents changed; files of earlier builds that are no longer part of the
// site are removed. Until a build commits, its files wait beside the old
// ones, so a failing build leaves the last good site in place. A Dir
// remembers what it wrote, so rebuilds compare in memory.
type Dir struct {
	Path string

	mu     sync.Mutex
	hashes map[string]uint64 // name -> hash of the committed file
	staged map[string]uint64 // name -> hash, for files staged by this build
	fresh  map[string]uint64 // name -> hash, for new files written in place
	dirs   map[string]bool   // directories known to exist
	once   sync.Once
	empty  bool // the directory held nothing when this Dir first staged: no file to compare or remove
	known  bool // hashes names every file in the directory: a commit has cleared it of others
}

// Stage writes data beside the file name if it differs from it.
func (d *Dir) Stage(name string, data []byte) error {
	h := maphash.Bytes(seed, data)
	d.mu.Lock()
	if d.hashes == nil {
		d.hashes = map[string]uint64{}
	}
	if d.staged == nil {
		d.staged = map[string]uint64{}
	}
	old, known := d.hashes[name]
	d.mu.Unlock()
	d.once.Do(func() {
		entries, err := os.ReadDir(d.Path)
		d.empty = errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0
	})
	full := filepath.Join(d.Path, filepath.FromSlash(name))
	if known && old == h {
		return nil
	}
	if !known {
		// The first build of this process: compare with the disk,
		// unless the directory was empty.
		var cur []byte
		err := fs.ErrNotExist
		if !d.empty {
			cur, err = os.ReadFile(full)
		}
		switch {
		case err == nil && bytes.Equal(cur, data):
			d.mu.Lock()
			d.hashes[name] = h
			d.mu.Unlock()
			return nil
		case errors.Is(err, fs.ErrNotExist):
			// A new file replaces nothing: write it in place (Abort
			// removes it again).
			if err := d.mkdir(filepath.Dir(full)); err != nil {
				return err
			}
			if err := writeFile(full, data); err != nil {
				return err
			}
			d.mu.Lock()
			if d.fresh == nil {
				d.fresh = map[string]uint64{}
			}
			d.fresh[name] = h
			d.mu.Unlock()
			return nil
		}
	}
	if err := d.mkdir(filepath.Dir(full)); err != nil {
		return err
	}
	if err := writeFile(full+stagedSuffix, data); err != nil {
		return err
	}
	d.mu.Lock()
	d.staged[name] = h
	d.mu.Unlock()
	return nil
}

// mkdir makes a directory once per build.
func (d *Dir) mkdir(dir string) error {
	d.mu.Lock()
	known := d.dirs[dir]
	d.mu.Unlock()
	if known {
		return nil
	}
	// Mkdir first: in a build most parents exist already, and MkdirAll
	// would stat every directory before making it.
	switch err := os.Mkdir(dir, 0o755); {
	case err == nil, errors.Is(err, fs.ErrExist):
	case errors.Is(err, fs.ErrNotExist) && filepath.Dir(dir) != dir:
		if err := d.mkdir(filepath.Dir(dir)); err != nil {
			return err
		}
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	default:
		return err
	}
	d.mu.Lock()
	if d.dirs == nil {
		d.dirs = map[string]bool{}
	}
	d.dirs[dir] = true
	d.mu.Unlock()
	return nil
}

// Commit moves the staged files into place and removes the files that are
// not among names.
func (d *Dir) Commit(names map[string]bool) (written, removed int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.claim(); err != nil {
		return 0, 0, err
	}
	staged := make([]string, 0, len(d.staged))
	for name := range d.staged {
		staged = append(staged, name)
	}
	slices.Sort(staged)
	for _, name := range staged {
		full := filepath.Join(d.Path, filepath.FromSlash(name))
		if err := os.Rename(full+stagedSuffix, full); err != nil {
			return written, removed, err
		}
		if d.hashes == nil {
			d.hashes = map[string]uint64{}
		}
		d.hashes[name] = d.staged[name]
		written++
	}
	d.staged = nil
	for name, h := range d.fresh {
		d.hashes[name] = h
		written++
	}
	d.fresh = nil
	if d.empty {
		// The first build into an empty directory: nothing is stale.
		d.empty, d.known = false, true
		return written, removed, nil
	}
	if d.known {
		// Every file of the directory is one this Dir wrote or compared:
		// the stale ones are among them, and no walk is needed.
		var stale []string
		for name := range d.hashes {
			if !names[name] {
				stale = append(stale, name)
			}
		}
		for _, name := range stale {
			full := filepath.Join(d.Path, filepath.FromSlash(name))
			switch err := os.Remove(full); {
			case err == nil:
				removed++
				d.removeEmptyParents(filepath.Dir(full))
				fallthrough
			case errors.Is(err, fs.ErrNotExist):
				delete(d.hashes, name)
			}
		}
		return written, removed, nil
	}
	var stale []string
	err = filepath.WalkDir(d.Path, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(d.Path, p)
		rel = filepath.ToSlash(rel)
		if !names[rel] && rel != marker {
			stale = append(stale, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return written, removed, err
	}
	for _, p := range stale {
		if err := os.Remove(p); err == nil {
			removed++
			rel, _ := filepath.Rel(d.Path, p)
			delete(d.hashes, filepath.ToSlash(rel))
		}
	}
	if removed > 0 {
		removeEmptyDirs(d.Path)
		d.dirs = nil
	}
	d.known = true
	return written, removed, nil
}

// removeEmptyParents removes dir and its parents below the site's root
// while they are empty; d.mu is held.
func (d *Dir) removeEmptyParents(dir string) {
	root := filepath.Clean(d.Path)
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return // not empty
		}
		delete(d.dirs, dir)
		dir = filepath.Dir(dir)
	}
}

// claim makes sure the directory is the site's own: new, empty, or marked
// by an earlier build. It never removes files from anything else.
func (d *Dir) claim() error {
	markerPath := filepath.Join(d.Path, marker)
	if _, err := os.Stat(markerPath); err == nil {
		return nil
	}
	entries, err := os.ReadDir(d.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), stagedSuffix) && !d.isStaged(e.Name()) {
			return errors.New("refusing to build into " + d.Path + ": it holds files an earlier build did not make (" + e.Name() + "); remove it or choose another directory")
		}
	}
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return err
	}
	return os.WriteFile(markerPath, []byte("This directory holds a site built by winnow; builds replace its files.\n"), 0o644)
}

// isStaged reports whether a top-level entry belongs to the files staged
// by the current build.
func (d *Dir) isStaged(entry string) bool {
	for name := range d.fresh {
		if name == entry || strings.HasPrefix(name, entry+"/") {
			return true
		}
	}
	for name := range d.staged {
		if name == entry || strings.HasPrefix(name, entry+"/") {
			return true
		}
	}
	return false
}

// Abort removes what a failed build staged.
func (d *Dir) Abort() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for name := range d.staged {
		os.Remove(filepath.Join(d.Path, filepath.FromSlash(name)) + stagedSuffix)
	}
	for name := range d.fresh {
		os.Remove(filepath.Join(d.Path, filepath.FromSlash(name)))
	}
	d.staged, d.fresh = nil, nil
}

// removeEmptyDirs removes the empty directories below root.
func removeEmptyDirs(root string) {
	var dirs []string
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.IsDir() && p != root {
			dirs = append(dirs, p)
		}
		return nil
	})
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) }) // deepest first
	for _, p := range dirs {
		os.Remove(p) // fails, as it should, when not empty
	}
}

// Memory keeps a site in memory: for tests, and for tools that inspect a
// build without writing it.
type Memory struct {
	mu     sync.Mutex
	Files  map[string][]byte // the committed site
	staged map[string][]byte
}

// Stage keeps data until Commit.
func (m *Memory) Stage(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.staged == nil {
		m.staged = map[string][]byte{}
	}
	if old, ok := m.Files[name]; ok && bytes.Equal(old, data) {
		return nil
	}
	m.staged[name] = bytes.Clone(data)
	return nil
}

// Commit makes the staged files the site.
func (m *Memory) Commit(names map[string]bool) (written, removed int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Files == nil {
		m.Files = map[string][]byte{}
	}
	for name, data := range m.staged {
		m.Files[name] = data
		written++
	}
	m.staged = nil
	for name := range m.Files {
		if !names[name] {
			delete(m.Files, name)
			removed++
		}
	}
	return written, removed, nil
}

// Abort drops what was staged.
func (m *Memory) Abort() {
	m.mu.Lock()
	m.staged = nil
	m.mu.Unlock()
}

// Paths lists the files of the committed site, sorted.
func (m *Memory) Paths() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.Files))
	for name := range m.Files {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Page returns a committed file as a string, or "".
func (m *Memory) Page(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return string(m.Files[strings.TrimPrefix(name, "/")])
}
