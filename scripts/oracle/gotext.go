package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Go's text rules that Apptainer applies to definition files, so our
// re-implementations (src/policy/go-text.ts) can be compared with Go's:
//
//	gotext tables        unicode.IsSpace and unicode.ToLower over every code point
//	gotext clean P...    filepath.Clean of each
//	gotext trim S...     strings.TrimSpace and strings.ToLower of each
//	gotext match RE S... regexp.MustCompile(RE).FindAllStringSubmatch(S, -1) of each:
//	                     the patterns Apptainer matches definition files with
func init() {
	register("gotext", gotext)
}

type textTables struct {
	Version string `json:"version"`
	// Space lists every code point unicode.IsSpace accepts.
	Space []rune `json:"space"`
	// Lower maps each code point that strings.ToLower changes to its result.
	Lower [][2]rune `json:"lower"`
	// Assigned is the code point ranges Go's tables know of ([lo, hi] inclusive):
	// a newer Unicode may add case pairs outside them.
	Assigned [][2]rune `json:"assigned"`
}

func gotext(args []string) (interface{}, error) {
	if len(args) > 0 && args[0] == "clean" {
		out := []string{}
		for _, p := range args[1:] {
			out = append(out, filepath.Clean(p))
		}
		return out, nil
	}
	if len(args) > 0 && args[0] == "trim" {
		out := [][2]string{}
		for _, s := range args[1:] {
			out = append(out, [2]string{strings.TrimSpace(s), strings.ToLower(s)})
		}
		return out, nil
	}
	if len(args) > 1 && args[0] == "match" {
		re := regexp.MustCompile(args[1])
		out := [][][]string{}
		for _, s := range args[2:] {
			out = append(out, re.FindAllStringSubmatch(s, -1))
		}
		return out, nil
	}
	t := textTables{Version: unicode.Version, Space: []rune{}, Lower: [][2]rune{}, Assigned: [][2]rune{}}
	categories := []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			t.Space = append(t.Space, r)
		}
		if l := unicode.ToLower(r); l != r {
			t.Lower = append(t.Lower, [2]rune{r, l})
		}
		if unicode.In(r, categories...) {
			if n := len(t.Assigned); n > 0 && t.Assigned[n-1][1] == r-1 {
				t.Assigned[n-1][1] = r
			} else {
				t.Assigned = append(t.Assigned, [2]rune{r, r})
			}
		}
	}
	return t, nil
}
