package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"text/tabwriter"
	"time"
)

// Go's own formatting of the values siftool prints, so our re-implementations
// can be compared with the real thing:
//
//	gotime SEC...            time.Unix(SEC, 0).UTC().String() of each
//	readablesize N...        siftool's readableSize of each
//	tabwrite PADDING B64...  each base64 input through tabwriter(0, 0, PADDING, ' ', 0), base64 out
func init() {
	register("gotime", gotime)
	register("readablesize", readableSizes)
	register("tabwrite", tabwrite)
}

func parseInt64s(args []string) ([]int64, error) {
	out := make([]int64, 0, len(args))
	for _, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func gotime(args []string) (interface{}, error) {
	secs, err := parseInt64s(args)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(secs))
	for _, s := range secs {
		out = append(out, time.Unix(s, 0).UTC().String())
	}
	return out, nil
}

// readableSize is siftool 2.8.3's (internal/app/siftool/info.go), copied because
// that package is internal and cannot be imported.
func readableSize(size int64) string {
	if -1024 < size && size < 1024 {
		return fmt.Sprintf("%d B", size)
	}

	units := "KMGTPE"

	div, exp := uint64(1024), 0
	for n := size / 1024; (n <= -1024) || (1024 <= n); n /= 1024 {
		div *= 1024
		exp++
	}

	return fmt.Sprintf("%.0f %ciB", math.Round(float64(size)/float64(div)), units[exp])
}

func readableSizes(args []string) (interface{}, error) {
	sizes, err := parseInt64s(args)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(sizes))
	for _, s := range sizes {
		out = append(out, readableSize(s))
	}
	return out, nil
}

func tabwrite(args []string) (interface{}, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("usage: tabwrite PADDING B64...")
	}
	padding, err := strconv.Atoi(args[0])
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(args)-1)
	for _, a := range args[1:] {
		in, err := base64.StdEncoding.DecodeString(a)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		tw := tabwriter.NewWriter(&b, 0, 0, padding, ' ', 0)
		if _, err := tw.Write(in); err != nil {
			return nil, err
		}
		if err := tw.Flush(); err != nil {
			return nil, err
		}
		out = append(out, b.Bytes())
	}
	return out, nil
}
