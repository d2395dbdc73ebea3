package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/andybalholm/brotli"
)

// The brotli window is the smallest that holds the whole file, 2^16 bytes
// at least, 2^24 at most; every form decodes to the file, one whose
// matches reach back further than 2^16 bytes included.
func TestCompressedFormsDecode(t *testing.T) {
	for n, want := range map[int]int{0: 16, 1<<16 - 16: 16, 1<<16 - 15: 17, 3 << 16: 18, 1 << 30: 24} {
		if got := brotliWindow(n); got != want {
			t.Errorf("brotliWindow(%d) = %d, want %d", n, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	block := make([]byte, 1<<16)
	for i := range block {
		block[i] = "abcdefgh"[rng.IntN(8)]
	}
	for _, data := range [][]byte{nil, []byte("body{margin:0}"), block[:1<<16-16], bytes.Repeat(block, 3)} {
		br, err := io.ReadAll(brotli.NewReader(bytes.NewReader(compress(".br", data))))
		if err != nil || !bytes.Equal(br, data) {
			t.Errorf("%d bytes: the brotli form decodes to %d bytes (%v)", len(data), len(br), err)
		}
		r, err := gzip.NewReader(bytes.NewReader(compress(".gz", data)))
		if err != nil {
			t.Fatal(err)
		}
		gz, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(gz, data) {
			t.Errorf("%d bytes: the gzip form decodes to %d bytes (%v)", len(data), len(gz), err)
		}
	}
}
