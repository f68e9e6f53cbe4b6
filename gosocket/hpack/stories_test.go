package hpack_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// The hpack-test-case stories (tests/data/hpack, see its README):
// raw-data holds header lists only; every other directory holds the same
// lists encoded by one implementation ("wire"), with the encoder's table
// size when it changed.
var storyRoot = filepath.Join("..", "..", "tests", "data", "hpack")

type storyCase struct {
	Wire      string              `json:"wire"`
	Headers   []map[string]string `json:"headers"`
	TableSize *int                `json:"header_table_size"`
}

type story struct {
	Path  string
	Cases []storyCase `json:"cases"`
}

func (c storyCase) fields() [][2]string {
	out := make([][2]string, 0, len(c.Headers))
	for _, m := range c.Headers {
		if len(m) != 1 {
			panic("story header object with more than one field")
		}
		for k, v := range m {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

func (c storyCase) wire(t testing.TB) []byte {
	b, err := hex.DecodeString(c.Wire)
	if err != nil {
		t.Fatalf("bad wire hex: %v", err)
	}
	return b
}

func loadStories(t testing.TB, dir string) []story {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(storyRoot, dir, "story_*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no stories in %s (%v): the repository test data (tests/data) is required", dir, err)
	}
	sort.Strings(paths)
	stories := make([]story, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := story{Path: p}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		stories = append(stories, s)
	}
	return stories
}

// encoderDirs lists the directories with encoded stories.
func encoderDirs(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir(storyRoot)
	if err != nil {
		t.Fatalf("%v: the repository test data (tests/data) is required", err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() && e.Name() != "raw-data" {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 0 {
		t.Fatal("no encoder directories")
	}
	return dirs
}
