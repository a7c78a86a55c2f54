package main

import (
	"bufio"
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
//	gotext scan lines|sections S...
//	                     how many tokens a bufio.Scanner returns from each, and its error:
//	                     lines (bufio.ScanLines), or sections (a token ends before each
//	                     later line whose first word starts with "%")
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
	if len(args) > 1 && args[0] == "scan" {
		split := bufio.ScanLines
		if args[1] == "sections" {
			split = splitSections
		}
		out := []scanned{}
		for _, s := range args[2:] {
			sc := bufio.NewScanner(strings.NewReader(s))
			sc.Split(split)
			r := scanned{}
			for sc.Scan() {
				r.Tokens++
			}
			if err := sc.Err(); err != nil {
				r.Error = err.Error()
			}
			out = append(out, r)
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

type scanned struct {
	Tokens int    `json:"tokens"`
	Error  string `json:"error"`
}

// splitSections ends a token before each line, other than its first, whose
// first word starts with "%": it decides only once it has seen that line whole.
func splitSections(data []byte, atEOF bool) (int, []byte, error) {
	pos := 0
	for pos < len(data) {
		adv, line, _ := bufio.ScanLines(data[pos:], atEOF)
		if adv == 0 {
			return 0, nil, nil
		}
		if _, word, _ := bufio.ScanWords(line, true); pos > 0 && len(word) > 0 && word[0] == '%' {
			return pos, data[:pos], nil
		}
		pos += adv
	}
	if !atEOF || pos == 0 {
		return 0, nil, nil
	}
	return pos, data[:pos], nil
}
