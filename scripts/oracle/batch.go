package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// batch JOBS.json: runs many subcommands in one process (the tamper matrix
// runs thousands). JOBS.json is a list of argument lists, e.g.
// [["verify","--keyring","k.asc","a.sif"]]; the answer is the list of results.
func init() { register("batch", batch) }

func batch(args []string) (interface{}, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("usage: batch JOBS.json")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return nil, err
	}
	var jobs [][]string
	if err := json.Unmarshal(b, &jobs); err != nil {
		return nil, err
	}
	out := make([]interface{}, 0, len(jobs))
	for _, job := range jobs {
		if !isJob(job) {
			return nil, fmt.Errorf("unknown job %v", job)
		}
		out = append(out, runJob(job))
	}
	return out, nil
}

// isJob: a subcommand and its arguments, never one that runs jobs itself.
func isJob(job []string) bool {
	return len(job) > 0 && job[0] != "batch" && job[0] != "serve" && subcommands[job[0]] != nil
}

// runJob runs one job; a reference panic (e.g. on a negative object size)
// becomes that job's error instead of ending the batch.
func runJob(job []string) (res interface{}) {
	defer func() {
		if r := recover(); r != nil {
			res = map[string]string{"error": fmt.Sprintf("panic: %v", r)}
		}
	}()
	res, err := subcommands[job[0]](job[1:])
	if err != nil {
		res = map[string]string{"error": err.Error()}
	}
	return res
}
