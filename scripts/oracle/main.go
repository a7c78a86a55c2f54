// Command oracle answers questions about SIF images with the reference Go
// library (sylabs/sif 2.8.3 from Debian), so tests can compare our verdicts and
// bytes with the reference's. Each subcommand lives in its own file and
// registers itself in init(). Output is one JSON document on stdout; a
// reference error is reported in that JSON, not as a failed exit.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

type subcommand func(args []string) (interface{}, error)

var subcommands = map[string]subcommand{}

func register(name string, fn subcommand) { subcommands[name] = fn }

func main() {
	if len(os.Args) < 2 || subcommands[os.Args[1]] == nil {
		names := make([]string, 0, len(subcommands))
		for n := range subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: oracle %v ...\n", names)
		os.Exit(2)
	}
	out, err := subcommands[os.Args[1]](os.Args[2:])
	if err != nil {
		out = map[string]string{"error": err.Error()}
	}
	if out == nil {
		return // the subcommand wrote its own answers (serve)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
