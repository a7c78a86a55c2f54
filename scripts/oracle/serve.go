package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// serve: runs jobs read from stdin, one JSON argument list a line (as in
// batch), and answers each with one JSON line, so a fuzzer can ask the
// reference about thousands of inputs without starting a process for each.
func init() { register("serve", serve) }

func serve(args []string) (interface{}, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("usage: serve (jobs on stdin)")
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var job []string
		if err := json.Unmarshal(in.Bytes(), &job); err != nil || !isJob(job) {
			return nil, fmt.Errorf("bad job %q", in.Text())
		}
		if err := out.Encode(runJob(job)); err != nil {
			return nil, err
		}
	}
	return nil, in.Err() // nothing more to print: every answer is written
}
